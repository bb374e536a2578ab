//! Where a panel's run is, and the status area that shows it: what runs now, the
//! error, or the result view. Shared by the MUI and AIS panels so that both announce
//! progress the same way (`aria-live`) and expose the same `data-state` to tests.

use crate::client;
use crate::protocol::{Job, Output, Progress, Request, RequestId};
use leptos::prelude::*;
use mechscope_report::Report;

#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    Idle,
    Running(String),
    Done(Box<Report>),
    Failed(String),
}

impl RunState {
    /// The `data-state` the end-to-end tests wait on.
    fn name(&self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Running(_) => "running",
            RunState::Done(_) => "done",
            RunState::Failed(_) => "failed",
        }
    }
}

/// The status area with id `id`: nothing when idle, the progress line while running,
/// the error as an alert, or `result` of the finished report.
#[component]
pub fn RunStatus<V>(
    id: &'static str,
    state: ReadSignal<RunState>,
    result: fn(Report) -> V,
) -> impl IntoView
where
    V: IntoView + 'static,
{
    view! {
        <div id=id aria-live="polite" data-state=move || state.with(RunState::name)>
            {move || match state.get() {
                RunState::Idle => ().into_any(),
                RunState::Running(text) => view! { <p class="muted">{text}</p> }.into_any(),
                RunState::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                RunState::Done(report) => result(*report).into_any(),
            }}
        </div>
    }
}

/// The request a panel has running in the worker, for its Cancel button.
pub type Current = RwSignal<Option<RequestId>>;

/// Runs `job` in the worker; its steps go to `progress`, its id to `current` (so
/// Cancel can reach it) until it ends. A failure comes back in words.
pub async fn run_job(
    job: Job,
    current: Current,
    progress: impl Fn(String) + 'static,
) -> Result<Output, String> {
    let id = client::next_id();
    current.set(Some(id));
    let outcome = client::request(Request::Run { id, job }, Vec::new(), move |p| match p {
        Progress::Step(text) => progress(text),
        Progress::Queued => progress("Waiting for the model to finish another run…".into()),
        _ => {}
    })
    .await;
    current.set(None);
    outcome.map_err(|f| f.message)
}

/// A job's report, or an error if the worker answered something else.
pub fn into_report(output: Output) -> Result<Report, String> {
    match output {
        Output::Report(report) => Ok(*report),
        other => Err(format!("the worker answered {other:?} instead of a report")),
    }
}

/// Stops the panel's running request.
pub fn cancel(current: Current) {
    if let Some(id) = current.get_untracked() {
        client::cancel(id);
    }
}
