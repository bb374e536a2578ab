//! The page's side of the worker: starts it, sends requests, and routes its events to
//! whoever asked.
//!
//! [`request`] sends one request and resolves with its output once the worker answers;
//! progress goes to the callback meanwhile. If the worker dies (a panic, a lost GPU),
//! every pending request fails with the reason and the next request starts a fresh
//! worker; [`on_crash`] tells the page so it can say the model is gone. A cancelled
//! request that does not stop within [`CANCEL_GRACE_MS`] (a step that cannot be
//! interrupted) is stopped by ending the worker, which unloads the model.

use crate::global::js_detail;
use crate::protocol::{Event, Failure, FailureKind, Output, Progress, Request, RequestId};
use crate::worker::{FILES_KEY, REQUEST_KEY};
use futures::channel::oneshot;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Worker};

/// The worker's wasm-bindgen script and module, beside the page (trunk's names for
/// the `mechscope-worker` binary; `filehash = false` keeps them fixed).
pub const WORKER_SCRIPT: &str = "mechscope-worker.js";
pub const WORKER_WASM: &str = "mechscope-worker_bg.wasm";
/// How long a cancelled request may take to stop before the worker is ended.
pub const CANCEL_GRACE_MS: i32 = 15_000;

/// What the page does when the worker dies.
type CrashCallback = Rc<dyn Fn(Failure)>;

struct Pending {
    on_progress: Rc<dyn Fn(Progress)>,
    done: oneshot::Sender<Result<Output, Failure>>,
    /// A run on the loaded model (not a load): its GPU trouble means the model is gone.
    is_run: bool,
}

struct Client {
    worker: Worker,
    pending: HashMap<RequestId, Pending>,
    /// Messages sent before the worker said Ready: a message that arrives while its
    /// wasm still initialises finds no handler and is lost, so they wait here.
    waiting: Option<Vec<wasm_bindgen::JsValue>>,
    /// Kept alive as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<RequestId> = const { Cell::new(1) };
    static ON_CRASH: RefCell<Option<CrashCallback>> = const { RefCell::new(None) };
}

/// Calls `callback` whenever the worker stops with the model in it.
pub fn on_crash(callback: impl Fn(Failure) + 'static) {
    ON_CRASH.with(|c| *c.borrow_mut() = Some(Rc::new(callback)));
}

/// A fresh id for a request.
pub fn next_id() -> RequestId {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

impl Client {
    /// Posts `message` now, or once the worker is ready.
    fn send(&mut self, message: wasm_bindgen::JsValue) -> Result<(), wasm_bindgen::JsValue> {
        match &mut self.waiting {
            Some(waiting) => {
                waiting.push(message);
                Ok(())
            }
            None => self.worker.post_message(&message),
        }
    }
}

/// The worker's bootstrap: imports its script and starts its module by absolute URL
/// (a `blob:` worker has no directory of its own to resolve names against).
fn bootstrap_source(page: &str) -> Result<String, wasm_bindgen::JsValue> {
    let script = web_sys::Url::new_with_base(WORKER_SCRIPT, page)?.href();
    let wasm = web_sys::Url::new_with_base(WORKER_WASM, page)?.href();
    let quote = |s: String| serde_json::to_string(&s).unwrap_or_default();
    Ok(format!(
        "{}importScripts({});wasm_bindgen({{module_or_path:{}}});",
        crate::hosts::worker_preamble(),
        quote(script),
        quote(wasm)
    ))
}

/// Starts the worker from a `blob:` URL: unlike a worker loaded from the server, whose
/// Content-Security-Policy would come from that script's own response headers (none
/// on a static host), a `blob:` worker inherits the page's policy, so its downloads
/// are held to the same hosts ([`crate::hosts`]).
fn new_worker() -> Result<Worker, wasm_bindgen::JsValue> {
    let page = web_sys::window().ok_or("no window")?.location().href()?;
    let source = js_sys::Array::of1(&bootstrap_source(&page)?.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&source, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let worker_options = web_sys::WorkerOptions::new();
    worker_options.set_name("mechscope-model");
    // The URL is not revoked: the worker may fetch its source after this returns, and
    // the blob is a hundred bytes, made once per worker.
    Worker::new_with_options(&url, &worker_options)
}

fn spawn() -> Result<Client, Failure> {
    let worker = new_worker().map_err(|e| {
        Failure::new(
            FailureKind::Crashed,
            format!("the model's worker could not start: {}", js_detail(&e)),
        )
    })?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<Event>(event.data()) {
            Ok(event) => dispatch(event),
            Err(e) => web_sys::console::error_1(&format!("an unreadable event: {e}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        event.prevent_default();
        crash(format!("the model's worker stopped: {}", event.message()));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        pending: HashMap::new(),
        waiting: Some(Vec::new()),
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn dispatch(event: Event) {
    match event {
        Event::Ready => CLIENT.with(|c| {
            if let Some(client) = c.borrow_mut().as_mut() {
                for message in client.waiting.take().unwrap_or_default() {
                    if let Err(e) = client.worker.post_message(&message) {
                        web_sys::console::error_1(&e);
                    }
                }
            }
        }),
        Event::Progress { id, progress } => {
            let callback = CLIENT.with(|c| {
                c.borrow()
                    .as_ref()
                    .and_then(|c| c.pending.get(&id).map(|p| p.on_progress.clone()))
            });
            if let Some(callback) = callback {
                callback(progress);
            }
        }
        Event::Done { id, output } => finish(id, Ok(output)),
        Event::Failed { id, failure } => finish(id, Err(failure)),
        Event::Crashed { message } => crash(message),
    }
}

fn finish(id: RequestId, outcome: Result<Output, Failure>) {
    let pending = CLIENT.with(|c| c.borrow_mut().as_mut().and_then(|c| c.pending.remove(&id)));
    let Some(pending) = pending else {
        return;
    };
    // A device lost (or out of memory) under a run stays unusable: end the worker,
    // which frees it with the model, so the page says the model is gone and offers the
    // CPU. (A load's GPU trouble leaves the model loaded before it in place.)
    let gpu_trouble = match &outcome {
        Err(failure) if pending.is_run && failure.kind == FailureKind::Gpu => Some(failure.clone()),
        _ => None,
    };
    let _ = pending.done.send(outcome);
    if let Some(failure) = gpu_trouble {
        end_worker(&failure);
    }
}

/// Ends the worker: every pending request fails with `message`'s kind of failure.
fn crash(message: String) {
    let failure = Failure::classify(message);
    let failure = Failure::new(
        if failure.kind == FailureKind::Gpu {
            FailureKind::Gpu
        } else {
            FailureKind::Crashed
        },
        failure.message,
    );
    end_worker(&failure);
}

fn end_worker(failure: &Failure) {
    let client = CLIENT.with(|c| c.borrow_mut().take());
    if let Some(client) = client {
        client.worker.terminate();
        for (_, pending) in client.pending {
            let _ = pending.done.send(Err(failure.clone()));
        }
        if let Some(callback) = ON_CRASH.with(|c| c.borrow().clone()) {
            callback(failure.clone());
        }
    }
}

/// Sends `request` (with `files` beside it) and waits for its output.
pub async fn request(
    request: Request,
    files: Vec<web_sys::File>,
    on_progress: impl Fn(Progress) + 'static,
) -> Result<Output, Failure> {
    let id = match &request {
        Request::Load { id, .. } | Request::Run { id, .. } | Request::Cancel { id } => *id,
    };
    let is_run = matches!(request, Request::Run { .. });
    let (done, outcome) = oneshot::channel();
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    let value = serde::Serialize::serialize(&request, &serializer)
        .map_err(|e| Failure::input(format!("the request did not serialise: {e}")))?;
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &REQUEST_KEY.into(), &value);
    let list: js_sys::Array = files.into_iter().collect();
    let _ = js_sys::Reflect::set(&message, &FILES_KEY.into(), &list);
    CLIENT.with(|c| -> Result<(), Failure> {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(spawn()?);
        }
        let client = c.as_mut().ok_or_else(|| Failure::input("no worker"))?;
        client.send(message.into()).map_err(|e| {
            Failure::input(format!("the request could not be sent: {}", js_detail(&e)))
        })?;
        client.pending.insert(
            id,
            Pending {
                on_progress: Rc::new(on_progress),
                done,
                is_run,
            },
        );
        Ok(())
    })?;
    outcome
        .await
        .unwrap_or_else(|_| Err(Failure::new(FailureKind::Crashed, "the worker went away")))
}

/// Asks the worker to stop request `id`; ends the worker if it has not stopped within
/// [`CANCEL_GRACE_MS`].
pub fn cancel(id: RequestId) {
    let sent = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let Some(client) = c.as_mut() else {
            return false;
        };
        let Ok(value) = serde_wasm_bindgen::to_value(&Request::Cancel { id }) else {
            return false;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &REQUEST_KEY.into(), &value);
        client.send(message.into()).is_ok()
    });
    if !sent {
        return;
    }
    let still_pending = move || {
        CLIENT.with(|c| {
            c.borrow()
                .as_ref()
                .is_some_and(|c| c.pending.contains_key(&id))
        })
    };
    let timeout = Closure::once_into_js(move || {
        if still_pending() {
            end_worker(&Failure::new(
                FailureKind::Cancelled,
                "cancelled: the run was inside a long step, so the model's worker was stopped \
                 and the model unloaded; load it again to go on (from the browser's cache)",
            ));
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            timeout.unchecked_ref(),
            CANCEL_GRACE_MS,
        );
    }
}

/// Whether a worker is running (a model may be loaded in it).
pub fn is_running() -> bool {
    CLIENT.with(|c| c.borrow().is_some())
}
