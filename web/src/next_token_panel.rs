//! The most likely next tokens of the loaded model for a prompt the user types.
//! The forward pass runs in the model's worker.

use crate::global::now_ms;
use crate::model_state::ModelState;
use crate::protocol::{Job, Output, TokenRow};
use crate::query::url_setting;
use crate::run_status::{Current, run_job};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone, PartialEq)]
enum Prediction {
    Idle,
    Running,
    Done {
        rows: Vec<TokenRow>,
        input_tokens: usize,
        elapsed_ms: f64,
    },
    Failed(String),
}

#[component]
pub fn NextTokenPanel(state: ReadSignal<ModelState>) -> impl IntoView {
    let (prompt, set_prompt) =
        url_setting("prompt", "The capital of France is".to_string()).split();
    let (chat, set_chat) = url_setting("chat", false).split();
    let (prediction, set_prediction) = signal(Prediction::Idle);

    let current: Current = RwSignal::new(None);
    let predict = move |_| {
        set_prediction.set(Prediction::Running);
        let started = now_ms();
        let job = Job::NextToken {
            prompt: prompt.get_untracked(),
            chat: chat.get_untracked(),
            top: 10,
        };
        spawn_local(async move {
            set_prediction.set(match run_job(job, current, |_| {}).await {
                Ok(Output::NextTokens { rows, input_tokens }) => Prediction::Done {
                    rows,
                    input_tokens,
                    elapsed_ms: now_ms() - started,
                },
                Ok(other) => Prediction::Failed(format!("unexpected answer: {other:?}")),
                Err(e) => Prediction::Failed(e),
            });
        });
    };

    let ready = move || matches!(state.get(), ModelState::Ready { .. });
    view! {
        <section id="next-token">
            <h2>"Next token"</h2>
            <p class="muted">"What the loaded model would say next after a prompt."</p>
            <div class="prompt-row">
                <label for="prompt">"Prompt"</label>
                <input id="prompt" type="text" size="60"
                    prop:value=move || prompt.get()
                    on:input=move |ev| set_prompt.set(event_target_value(&ev)) />
                <label>
                    <input id="chat" type="checkbox" prop:checked=move || chat.get()
                        on:change=move |ev| set_chat.set(event_target_checked(&ev)) />
                    " as a chat message"
                </label>
                <button id="predict" on:click=predict
                    disabled=move || !ready() || prediction.get() == Prediction::Running>"Predict"</button>
            </div>
            {move || match prediction.get() {
                Prediction::Idle => ().into_any(),
                Prediction::Running => view! { <p class="muted">"Running the model…"</p> }.into_any(),
                Prediction::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Prediction::Done { rows, input_tokens, elapsed_ms } => view! {
                    <table id="next-tokens">
                        <caption class="muted">{format!("{input_tokens} input tokens, {:.0} ms", elapsed_ms)}</caption>
                        <thead><tr><th>"Rank"</th><th>"Token"</th><th class="num">"Probability"</th><th class="num">"Logit"</th><th class="num">"Id"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().enumerate().map(|(i, r)| view! {
                                <tr data-id=r.id>
                                    <td>{i + 1}</td>
                                    <td class="token">{format!("{:?}", r.token)}</td>
                                    <td class="num">{format!("{:.1}%", 100.0 * r.probability)}</td>
                                    <td class="num" data-logit=r.logit.to_string()>{format!("{:.3}", r.logit)}</td>
                                    <td class="num">{r.id}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
