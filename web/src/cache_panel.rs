//! The models kept in the browser: their sizes, the storage the browser grants, and a
//! Delete for each.

use crate::model_cache::{self, CachedFile};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mechscope_formats::fit::Bytes;

/// One cached model: its files summed.
#[derive(Debug, Clone, PartialEq)]
struct CachedModel {
    model: String,
    files: usize,
    bytes: u64,
}

fn group(files: Vec<CachedFile>) -> Vec<CachedModel> {
    let mut out: Vec<CachedModel> = Vec::new();
    for file in files {
        match out.iter_mut().find(|m| m.model == file.model) {
            Some(m) => {
                m.files += 1;
                m.bytes += file.bytes;
            }
            None => out.push(CachedModel {
                model: file.model,
                files: 1,
                bytes: file.bytes,
            }),
        }
    }
    out
}

/// Lists the cache again whenever `version` changes (a load finished, a delete).
#[component]
pub fn CachePanel(version: RwSignal<u32>) -> impl IntoView {
    let (listing, set_listing) = signal(None::<Result<Vec<CachedModel>, String>>);
    let (estimate, set_estimate) = signal(None::<(f64, f64)>);
    Effect::new(move |_| {
        version.get();
        spawn_local(async move {
            set_listing.set(Some(
                model_cache::files()
                    .await
                    .map(group)
                    .map_err(|e| e.to_string()),
            ));
            set_estimate.set(model_cache::estimate().await);
        });
    });
    let delete = move |model: String| {
        spawn_local(async move {
            if let Err(e) = model_cache::delete_model(&model).await {
                set_listing.set(Some(Err(e.to_string())));
                return;
            }
            version.update(|v| *v += 1);
        });
    };
    view! {
        <section id="cache">
            <h2>"Models kept in this browser"</h2>
            <p class="muted">"Downloaded files are cached whole and checked, so a reload loads them without the network."</p>
            {move || match listing.get() {
                None => view! { <p class="muted">"Reading the cache…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(models)) if models.is_empty() => view! { <p id="cache-empty" class="muted">"Nothing cached yet."</p> }.into_any(),
                Some(Ok(models)) => view! {
                    <table id="cache-list">
                        <thead><tr><th>"Model"</th><th class="num">"Files"</th><th class="num">"Size"</th><th></th></tr></thead>
                        <tbody>{models.into_iter().map(|m| {
                            let name = m.model.clone();
                            view! {
                                <tr data-model=m.model.clone() data-bytes=m.bytes.to_string()>
                                    <td>{m.model.clone()}</td>
                                    <td class="num">{m.files}</td>
                                    <td class="num">{Bytes(m.bytes).to_string()}</td>
                                    <td><button class="cache-delete" on:click=move |_| delete(name.clone())>"Delete"</button></td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
            {move || estimate.get().map(|(usage, quota)| view! {
                <p id="cache-estimate" class="muted">
                    {format!("This site uses {} of the {} the browser allows it.", Bytes(usage as u64), Bytes(quota as u64))}
                </p>
            })}
        </section>
    }
}
