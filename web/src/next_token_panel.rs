//! Run the demo model in this tab: load it (download, prepare weights, pick WebGPU or
//! the CPU), then show the most likely next tokens for a prompt the user types.
//!
//! Loading and the forward pass still run on the page's thread; moving them into a
//! Web Worker is the next step for the page (the page stays usable between steps).

use crate::app::DEMO_MODEL_URL;
use crate::bytes::fetch_all;
use burn::tensor::Device;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_formats::tokenizer::ChatMessage;
use mechscope_model::LoadedModel;
use mechscope_model::next_token::next_tokens;
use std::cell::RefCell;
use std::rc::Rc;

/// Where the model is in its life on this page.
#[derive(Debug, Clone, PartialEq)]
enum ModelState {
    NotLoaded,
    Downloading { received: u64, total: Option<u64> },
    Preparing,
    Ready { backend: String, load_ms: f64 },
    Failed(String),
}

/// One row of the next-token table.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: u32,
    token: String,
    probability: f64,
    logit: f32,
}

#[derive(Debug, Clone, PartialEq)]
enum Prediction {
    Idle,
    Running,
    Done {
        rows: Vec<Row>,
        input_tokens: usize,
        elapsed_ms: f64,
    },
    Failed(String),
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// WebGPU when the browser offers it, else burn's CPU backend; says which.
async fn pick_device() -> (Device, String) {
    match crate::gpu::probe().await {
        crate::gpu::GpuStatus::Available(facts) => {
            match Device::wgpu_options().init_async().await {
                Ok(device) => (
                    device,
                    format!("WebGPU ({} {})", facts.vendor, facts.architecture),
                ),
                Err(e) => (
                    Device::flex(),
                    format!("CPU (WebGPU could not start: {e:?})"),
                ),
            }
        }
        crate::gpu::GpuStatus::Unavailable(_) => (Device::flex(), "CPU (no WebGPU)".to_string()),
    }
}

/// Lets the browser paint (progress text) before a long synchronous step.
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[component]
pub fn NextTokenPanel() -> impl IntoView {
    let model: Rc<RefCell<Option<Rc<LoadedModel>>>> = Rc::new(RefCell::new(None));
    let (state, set_state) = signal(ModelState::NotLoaded);
    let (prompt, set_prompt) = signal("The capital of France is".to_string());
    let (chat, set_chat) = signal(false);
    let (prediction, set_prediction) = signal(Prediction::Idle);

    let load_model = {
        let model = model.clone();
        move |_| {
            let model = model.clone();
            spawn_local(async move {
                let started = now_ms();
                set_state.set(ModelState::Downloading {
                    received: 0,
                    total: None,
                });
                let bytes = match fetch_all(DEMO_MODEL_URL, |received, total| {
                    set_state.set(ModelState::Downloading { received, total })
                })
                .await
                {
                    Ok(b) => b,
                    Err(e) => return set_state.set(ModelState::Failed(e.to_string())),
                };
                set_state.set(ModelState::Preparing);
                yield_to_browser().await;
                let (device, backend) = pick_device().await;
                match LoadedModel::from_gguf(&bytes, &device) {
                    Ok(loaded) => {
                        *model.borrow_mut() = Some(Rc::new(loaded));
                        set_state.set(ModelState::Ready {
                            backend,
                            load_ms: now_ms() - started,
                        });
                    }
                    Err(e) => set_state.set(ModelState::Failed(e.to_string())),
                }
            });
        }
    };

    let predict = {
        let model = model.clone();
        move |_| {
            let model = model.clone();
            set_prediction.set(Prediction::Running);
            spawn_local(async move {
                yield_to_browser().await;
                let started = now_ms();
                let loaded = model.borrow().clone();
                let Some(loaded) = loaded else {
                    return set_prediction.set(Prediction::Failed("load the model first".into()));
                };
                let text = prompt.get_untracked();
                let ids = if chat.get_untracked() {
                    loaded
                        .tokenizer
                        .encode_chat(&[ChatMessage::user(text)], true)
                } else {
                    loaded.tokenizer.encode(&text, true)
                };
                let ids = match ids {
                    Ok(ids) if !ids.is_empty() => ids,
                    Ok(_) => {
                        return set_prediction
                            .set(Prediction::Failed("the prompt is empty".into()));
                    }
                    Err(e) => return set_prediction.set(Prediction::Failed(e.to_string())),
                };
                match next_tokens(&loaded.decoder, &ids, 10).await {
                    Ok(result) => {
                        let rows = result
                            .top
                            .iter()
                            .map(|c| Row {
                                id: c.id,
                                token: loaded.tokenizer.token_text(c.id).unwrap_or_default(),
                                probability: c.logprob.exp(),
                                logit: c.logit,
                            })
                            .collect();
                        set_prediction.set(Prediction::Done {
                            rows,
                            input_tokens: ids.len(),
                            elapsed_ms: now_ms() - started,
                        });
                    }
                    Err(e) => set_prediction.set(Prediction::Failed(e.to_string())),
                }
            });
        }
    };

    let ready = move || matches!(state.get(), ModelState::Ready { .. });
    view! {
        <section id="next-token">
            <h2>"Next token"</h2>
            <p class="muted">"Run the demo model in this tab and see what it would say next."</p>
            <button id="load-model" on:click=load_model
                disabled=move || !matches!(state.get(), ModelState::NotLoaded | ModelState::Failed(_))>
                "Load the demo model"
            </button>
            <p id="model-state" aria-live="polite" data-state=move || match state.get() {
                ModelState::NotLoaded => "not-loaded",
                ModelState::Downloading { .. } => "downloading",
                ModelState::Preparing => "preparing",
                ModelState::Ready { .. } => "ready",
                ModelState::Failed(_) => "failed",
            }>
                {move || match state.get() {
                    ModelState::NotLoaded => String::new(),
                    ModelState::Downloading { received, total } => match total {
                        Some(t) if t > 0 => format!("Downloading… {:.1} of {:.1} MB ({:.0}%)", received as f64 / 1e6, t as f64 / 1e6, 100.0 * received as f64 / t as f64),
                        _ => format!("Downloading… {:.1} MB", received as f64 / 1e6),
                    },
                    ModelState::Preparing => "Preparing weights (dequantising, uploading)…".to_string(),
                    ModelState::Ready { backend, load_ms } => format!("Ready on {backend}, loaded in {:.1} s.", load_ms / 1e3),
                    ModelState::Failed(e) => format!("Could not load the model: {e}"),
                }}
            </p>
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
