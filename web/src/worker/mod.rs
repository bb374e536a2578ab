//! The Web Worker that holds the model: it loads it and runs every job, one request
//! at a time, while the page stays responsive.
//!
//! Requests queue in arrival order. A Cancel is read as soon as it arrives (jobs yield
//! between steps, and a download between chunks), so a queued request never starts
//! and a running one stops at its next step. A panic posts [`Event::Crashed`] before
//! the worker dies, so the page can say what happened and offer to load again.

pub mod bench;
pub mod download;
pub mod jobs;
pub mod loading;

use crate::global::{js_detail, now_ms};
use crate::protocol::{
    DeviceChoice, Event, Failure, FailureKind, Job, Output, Progress, Request, RequestId,
    SourceSpec,
};
use jobs::{Ctx, Slot};
use js_sys::Reflect;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// What the page sends: the request, and the files it concerns (dropped files).
pub const REQUEST_KEY: &str = "request";
pub const FILES_KEY: &str = "files";

thread_local! {
    static QUEUE: RefCell<VecDeque<(Request, Vec<web_sys::File>)>> = const { RefCell::new(VecDeque::new()) };
    static CANCELLED: RefCell<HashSet<RequestId>> = RefCell::new(HashSet::new());
    static SLOT: RefCell<Option<Slot>> = const { RefCell::new(None) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends `event` to the page.
fn post(event: &Event) {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    match serde::Serialize::serialize(event, &serializer) {
        Ok(value) => {
            if let Err(e) = scope().post_message(&value) {
                web_sys::console::error_1(
                    &format!("posting an event failed: {}", js_detail(&e)).into(),
                );
            }
        }
        Err(e) => web_sys::console::error_1(&format!("an event did not serialise: {e}").into()),
    }
}

/// The worker's entry point: listens for requests and says it is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Event::Crashed {
            message: info.to_string(),
        });
    }));
    crate::hosts::watch_violations();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Event::Ready);
}

fn request_id(request: &Request) -> RequestId {
    match request {
        Request::Load { id, .. } | Request::Run { id, .. } | Request::Cancel { id } => *id,
    }
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let files: Vec<web_sys::File> = Reflect::get(&data, &FILES_KEY.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Array>().ok())
        .map(|a| a.iter().filter_map(|f| f.dyn_into().ok()).collect())
        .unwrap_or_default();
    let request = Reflect::get(&data, &REQUEST_KEY.into()).unwrap_or_default();
    let request: Request = match serde_wasm_bindgen::from_value(request) {
        Ok(r) => r,
        Err(e) => {
            web_sys::console::error_1(&format!("an unreadable request: {e}").into());
            return;
        }
    };
    if let Request::Cancel { id } = request {
        CANCELLED.with(|c| c.borrow_mut().insert(id));
        let was_queued = QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            let before = q.len();
            q.retain(|(r, _)| request_id(r) != id);
            before != q.len()
        });
        if was_queued {
            post(&Event::Failed {
                id,
                failure: Failure::cancelled(),
            });
        }
        return;
    }
    let busy = DRAINING.with(Cell::get);
    if busy {
        post(&Event::Progress {
            id: request_id(&request),
            progress: Progress::Queued,
        });
    }
    QUEUE.with(|q| q.borrow_mut().push_back((request, files)));
    if !busy {
        DRAINING.with(|d| d.set(true));
        wasm_bindgen_futures::spawn_local(drain());
    }
}

async fn drain() {
    while let Some((request, files)) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        let id = request_id(&request);
        let outcome = handle(id, request, &files).await;
        CANCELLED.with(|c| c.borrow_mut().remove(&id));
        post(&match outcome {
            Ok(output) => Event::Done { id, output },
            Err(failure) => Event::Failed { id, failure },
        });
    }
    DRAINING.with(|d| d.set(false));
}

async fn handle(
    id: RequestId,
    request: Request,
    files: &[web_sys::File],
) -> Result<Output, Failure> {
    let progress = move |p: Progress| post(&Event::Progress { id, progress: p });
    let cancelled = move || CANCELLED.with(|c| c.borrow().contains(&id));
    match request {
        Request::Load { source, device, .. } => {
            load(&source, device, files, &progress, &cancelled).await
        }
        Request::Run {
            job:
                Job::Bench {
                    kind,
                    params,
                    injected,
                    demo,
                },
            ..
        } => {
            let input = bench::BenchInput {
                kind,
                params,
                demo,
                injected,
            };
            bench::run(&input, &progress)
                .await
                .map(|v| Output::Bench(v.to_string()))
        }
        Request::Run { job, .. } => {
            let Some(mut slot) = SLOT.with(|s| s.borrow_mut().take()) else {
                return Err(Failure::input("load a model first"));
            };
            let ctx = Ctx {
                progress: &progress,
                cancelled: &cancelled,
            };
            let outcome = jobs::run(&mut slot, job, &ctx).await;
            // Back in the slot whatever happened (AIS restores the weights it masked).
            SLOT.with(|s| *s.borrow_mut() = Some(slot));
            outcome
        }
        Request::Cancel { .. } => Err(Failure::input("a cancel is not a request")),
    }
}

/// Loads a model; the one loaded before stays until the new one is ready, so a failed
/// load loses nothing.
async fn load(
    source: &SourceSpec,
    device: DeviceChoice,
    files: &[web_sys::File],
    progress: &dyn Fn(Progress),
    cancelled: &dyn Fn() -> bool,
) -> Result<Output, Failure> {
    let started = now_ms();
    let gathered = loading::gather(source, files, progress, cancelled).await?;
    if cancelled() {
        return Err(Failure::cancelled());
    }
    let prepared = loading::prepare(&gathered, device, started, progress).await;
    if let Err(failure) = &prepared
        && failure.kind == FailureKind::Input
        && let Some(group) = source.cache_group()
    {
        // Whole but unusable (a corrupt file, a config that does not match its
        // tensors): not kept, so the next try downloads afresh.
        let _ = crate::model_cache::delete_model(group).await;
    }
    let (model, facts) = prepared?;
    SLOT.with(|s| {
        *s.borrow_mut() = Some(Slot {
            model,
            files: gathered.files,
            facts: facts.clone(),
        })
    });
    Ok(Output::Loaded(Box::new(facts)))
}
