//! The most likely next tokens of the loaded model for a prompt the user types.
//!
//! The forward pass still runs on the page's thread; moving it into a Web Worker is the
//! next step for the page (the page stays usable between steps).

use crate::model_slot::{self, ModelState, now_ms, yield_to_browser};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_formats::tokenizer::ChatMessage;
use mechscope_model::next_token::next_tokens;

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

#[component]
pub fn NextTokenPanel(state: ReadSignal<ModelState>) -> impl IntoView {
    let (prompt, set_prompt) = signal("The capital of France is".to_string());
    let (chat, set_chat) = signal(false);
    let (prediction, set_prediction) = signal(Prediction::Idle);

    let predict = {
        move |_| {
            set_prediction.set(Prediction::Running);
            spawn_local(async move {
                yield_to_browser().await;
                let started = now_ms();
                let Some(loaded) = model_slot::current() else {
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
