//! The hosts the page may contact, and the Content-Security-Policy that holds it (and
//! its worker) to them.
//!
//! `web/index.html` carries the fixed part of the policy in a `<meta>`: scripts only
//! from the page itself (`'self'`, plus `'wasm-unsafe-eval'` to compile WebAssembly),
//! no inline script, no plugins, no `<base>`, no forms. Which hosts `fetch` may reach
//! (`connect-src`) depends on the user: this page, Hugging Face (the hub, its file CDN
//! and the datasets-server) and the hosts the user added, kept in `localStorage`. So
//! [`install`] adds a second policy with that `connect-src` when the page starts,
//! before its first request. The browser enforces every policy a page has, and a policy
//! can only narrow what the others allow: a host added later takes a reload, which
//! [`HostsPanel`] and [`HostRequests`] do.
//!
//! The worker is started from a `blob:` URL (see [`crate::client`]), so it inherits
//! this policy: its downloads, where a hub's redirect to another host would otherwise
//! go unchecked, are held to the same hosts.

use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Where `fetch` may always go besides the page's own host: the Hugging Face hub, the
/// hosts it redirects file downloads to (`cdn-lfs.huggingface.co`,
/// `cas-bridge.xethub.hf.co`…) and the datasets-server.
pub const BUILT_IN: [&str; 3] = [
    "https://huggingface.co",
    "https://*.huggingface.co",
    "https://*.hf.co",
];

/// The `localStorage` key of the hosts the user added (a JSON array of origins).
const STORAGE_KEY: &str = "mechscope.hosts";

/// The URL parameters that name a host to contact, and what for.
const HOST_PARAMS: [(&str, &str); 3] = [
    ("model_hub", "models"),
    ("hub", "benchmark datasets"),
    ("report", "a report"),
];

/// An `http(s)` origin from what a user typed: a URL (its path is dropped) or a bare
/// host name, which means `https://`.
///
/// ```
/// use mechscope_web::hosts::parse_origin;
/// assert_eq!(parse_origin("hf-mirror.com").unwrap(), "https://hf-mirror.com");
/// assert_eq!(parse_origin(" http://127.0.0.1:8092/hub/x ").unwrap(), "http://127.0.0.1:8092");
/// assert!(parse_origin("javascript:alert(1)").is_err());
/// assert!(parse_origin("https://a.example; script-src *").is_err());
/// ```
pub fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type a host, such as https://hf-mirror.com".into());
    }
    // `scheme:rest` without `//` (`javascript:…`, `data:…`), told from `host:port`.
    let bare_scheme = !text.contains("://")
        && text.split_once(':').is_some_and(|(_, after)| {
            let port = after.split(['/', '?', '#']).next().unwrap_or_default();
            port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())
        });
    if bare_scheme {
        return Err(format!(
            "{text} is not an http or https address; the page only fetches over the web"
        ));
    }
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let (scheme, rest) = with_scheme
        .split_once("://")
        .ok_or_else(|| format!("{text} is not a web address"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "{text} is not an http or https address; the page only fetches over the web"
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = !authority.is_empty()
        && !authority.contains('@')
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok {
        return Err(format!("{text} does not name a host"));
    }
    Ok(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// The `connect-src` directive for the built-in hosts and `user`'s.
///
/// ```
/// use mechscope_web::hosts::connect_src;
/// assert_eq!(
///     connect_src(&["http://127.0.0.1:8092".to_string()]),
///     "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co http://127.0.0.1:8092"
/// );
/// ```
pub fn connect_src(user: &[String]) -> String {
    let mut directive = String::from("connect-src 'self'");
    for host in BUILT_IN
        .iter()
        .copied()
        .chain(user.iter().map(String::as_str))
    {
        directive.push(' ');
        directive.push_str(host);
    }
    directive
}

/// Whether `origin` (`scheme://host[:port]`) is the page's own, built in, or in `user`:
/// the check the browser makes, done first so the page can say so in words.
///
/// ```
/// use mechscope_web::hosts::allows;
/// let page = "http://127.0.0.1:8091";
/// assert!(allows(page, &[], "http://127.0.0.1:8091"));
/// assert!(allows(page, &[], "https://cas-bridge.xethub.hf.co"));
/// assert!(!allows(page, &[], "https://evilhf.co"));
/// assert!(!allows(page, &[], "http://localhost:8091"));
/// assert!(allows(page, &["http://localhost:8091".into()], "http://localhost:8091"));
/// ```
pub fn allows(page: &str, user: &[String], origin: &str) -> bool {
    origin == page
        || user.iter().any(|u| u == origin)
        || BUILT_IN
            .iter()
            .any(|pattern| match pattern.split_once("://*.") {
                Some((scheme, domain)) => origin
                    .strip_prefix(scheme)
                    .and_then(|o| o.strip_prefix("://"))
                    .and_then(|host| host.strip_suffix(domain))
                    .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
                None => origin == *pattern,
            })
}

/// The global the worker's bootstrap sets to the user's hosts: a worker has no
/// `localStorage` (see [`worker_preamble`]).
const WORKER_GLOBAL: &str = "mechscopeHosts";

/// The hosts the user added, oldest first (unreadable entries are skipped).
pub fn user_hosts() -> Vec<String> {
    let list: Vec<String> = match storage() {
        Some(storage) => storage
            .get_item(STORAGE_KEY)
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        None => {
            serde_wasm_bindgen::from_value(crate::global::member(WORKER_GLOBAL)).unwrap_or_default()
        }
    };
    list.into_iter()
        .filter_map(|h| parse_origin(&h).ok().filter(|o| *o == h))
        .collect()
}

/// A statement for the worker's bootstrap that hands it the user's hosts, so its
/// errors can tell a blocked redirect from a blocked host. (Validated origins: plain
/// ASCII, so their JSON is a safe JavaScript literal.)
pub fn worker_preamble() -> String {
    let hosts = serde_json::to_string(&user_hosts()).unwrap_or_else(|_| "[]".into());
    format!("self.{WORKER_GLOBAL}={hosts};")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn save(hosts: &[String]) -> Result<(), String> {
    let json = serde_json::to_string(hosts).map_err(|e| e.to_string())?;
    storage()
        .ok_or("this browser keeps no local storage for the page")?
        .set_item(STORAGE_KEY, &json)
        .map_err(|e| crate::global::js_detail(&e))
}

/// Adds `origin` to the user's hosts and reloads, so the new policy takes effect.
pub fn add_and_reload(origin: &str) -> Result<(), String> {
    let mut hosts = user_hosts();
    if !hosts.iter().any(|h| h == origin) {
        hosts.push(origin.to_string());
    }
    save(&hosts)?;
    reload();
    Ok(())
}

/// Removes `origin` from the user's hosts and reloads.
pub fn remove_and_reload(origin: &str) -> Result<(), String> {
    let hosts: Vec<String> = user_hosts().into_iter().filter(|h| h != origin).collect();
    save(&hosts)?;
    reload();
    Ok(())
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// The page's own origin (`http://127.0.0.1:8091`); in the worker too, whose `blob:`
/// location has the page's origin.
pub fn page_origin() -> String {
    location_member("origin").unwrap_or_default()
}

fn location_member(name: &str) -> Option<String> {
    js_sys::Reflect::get(&crate::global::member("location"), &name.into())
        .ok()?
        .as_string()
}

/// The origin `url` points at, resolved against the page (a relative URL is the page's).
pub fn origin_of(url: &str) -> Option<String> {
    let base = location_member("href")?;
    Some(web_sys::Url::new_with_base(url, &base).ok()?.origin())
}

/// `Ok` when the page may fetch `url`, else the reason in words: what the browser
/// would refuse, said before it does.
pub fn check(url: &str) -> Result<(), String> {
    let origin = origin_of(url).ok_or_else(|| format!("{url} is not a web address"))?;
    if allows(&page_origin(), &user_hosts(), &origin) {
        Ok(())
    } else {
        Err(format!(
            "the page did not fetch {url}: {}",
            not_allowed(&origin)
        ))
    }
}

/// What a refused host is not among, for every message that refuses one.
const NOT_AMONG_HOSTS: &str = "is not among the hosts the page may contact (its own, \
     Hugging Face's, and those you add under “Hosts the page may contact” if you trust them)";

/// Why nothing is fetched from `origin`.
pub fn not_allowed(origin: &str) -> String {
    format!("{origin} {NOT_AMONG_HOSTS}")
}

/// Adds the `connect-src` policy for the built-in and the user's hosts to the page.
/// Called first thing in `main`, before any request.
pub fn install() -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let meta = document.create_element("meta")?;
    meta.set_attribute("http-equiv", "Content-Security-Policy")?;
    meta.set_attribute("content", &connect_src(&user_hosts()))?;
    meta.set_id("csp-connect");
    document.head().ok_or("no <head>")?.append_child(&meta)?;
    Ok(())
}

thread_local! {
    /// The URLs the policy blocked, newest last (see [`watch_violations`]).
    static BLOCKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records every URL the policy blocks on this global (page or worker), so a failed
/// download can say the browser refused it, and where to, rather than "Failed to
/// fetch": a hub may redirect a file to a host that is not allowed.
pub fn watch_violations() {
    let on_violation = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let blocked = js_sys::Reflect::get(&event, &"blockedURI".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        BLOCKED.with(|b| b.borrow_mut().push(blocked));
    });
    let global: web_sys::EventTarget = js_sys::global().unchecked_into();
    let _ = global.add_event_listener_with_callback(
        "securitypolicyviolation",
        on_violation.as_ref().unchecked_ref(),
    );
    on_violation.forget();
}

/// The number of blocked requests so far; pass it to [`blocked_since`].
pub fn blocked_count() -> usize {
    BLOCKED.with(|b| b.borrow().len())
}

/// Why the policy blocked a request after `count` (from [`blocked_count`]), if it did.
///
/// The browser reports a redirected request by its first URL (so as not to reveal
/// where a server redirects): a blocked URL on an allowed host means a redirect to a
/// host that is not allowed.
pub fn blocked_since(count: usize) -> Option<String> {
    let uri = BLOCKED.with(|b| b.borrow().get(count..)?.last().cloned())?;
    let origin = origin_of(&uri).unwrap_or_else(|| uri.clone());
    Some(if allows(&page_origin(), &user_hosts(), &origin) {
        format!("{uri} redirected to another host, which {NOT_AMONG_HOSTS}")
    } else {
        not_allowed(&origin)
    })
}

/// The hosts the page may contact, with the user's own to add and remove.
#[component]
pub fn HostsPanel() -> impl IntoView {
    let user = user_hosts();
    let (error, set_error) = signal(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = input.get().map(|i| i.value()).unwrap_or_default();
        let result = parse_origin(&text).and_then(|origin| add_and_reload(&origin));
        set_error.set(result.err());
    };
    let rows = user
        .into_iter()
        .map(|host| {
            let remove_host = host.clone();
            let remove = move |_| set_error.set(remove_and_reload(&remove_host).err());
            view! {
                <li data-host=host.clone()>
                    <code>{host.clone()}</code>" "
                    <button type="button" class="remove-host" on:click=remove>"Remove"</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section id="hosts">
            <h2>"Hosts the page may contact"</h2>
            <p>
                "MechScope runs entirely in your browser and sends nothing anywhere: no "
                "analytics, no uploads. It downloads only from this page's own host, from "
                "Hugging Face (the hub, its file servers and the datasets-server), and from "
                "the hosts you add here. The browser enforces this list (a "
                "Content-Security-Policy), for the page and its worker alike."
            </p>
            <details>
                <summary>"The list, and adding a host"</summary>
                <ul id="host-list">
                    <li><code>{page_origin()}</code>" (this page)"</li>
                    {BUILT_IN.map(|h| view! { <li><code>{h}</code>" (Hugging Face)"</li> }).collect_view()}
                    {rows}
                </ul>
                <form on:submit=add>
                    <label>"Add a host (a mirror of the hub, your own server) "
                        <input id="add-host" node_ref=input type="text" placeholder="https://hf-mirror.com" />
                    </label>
                    " "<button type="submit" id="add-host-button">"Add and reload"</button>
                    <p class="muted">"The browser fixes a page's policy when it opens, so the page reloads to apply it."</p>
                </form>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </details>
        </section>
    }
}

/// Asks before contacting a host that the page's address names (`?model_hub=`, `?hub=`,
/// `?report=`) but the user has not allowed: a link from someone else must not make the
/// page contact a host the user did not choose.
#[component]
pub fn HostRequests() -> impl IntoView {
    let page = page_origin();
    let user = user_hosts();
    let requests: Vec<(String, &str)> = HOST_PARAMS
        .iter()
        .filter_map(|(param, what)| {
            let origin = origin_of(&crate::query::param(param)?)?;
            (!allows(&page, &user, &origin)).then_some((origin, *what))
        })
        .collect();
    let (error, set_error) = signal(None::<String>);
    requests
        .into_iter()
        .map(|(origin, what)| {
            let allow_origin = origin.clone();
            let allow = move |_| set_error.set(add_and_reload(&allow_origin).err());
            view! {
                <p class="status-warn host-request" role="alert" data-host=origin.clone()>
                    "This address asks the page to fetch " {what} " from " <code>{origin.clone()}</code>
                    ", which is not among the hosts you allowed. Nothing has been requested from it. "
                    <button type="button" class="allow-host" on:click=allow>"Allow " {origin.clone()} " and reload"</button>
                    {move || error.get().map(|e| view! { <span class="error">" "{e}</span> })}
                </p>
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn typed_hosts_become_origins_or_are_refused() {
        assert_eq!(
            parse_origin("HF-Mirror.com/x").unwrap(),
            "https://hf-mirror.com"
        );
        assert_eq!(
            parse_origin("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
        for bad in [
            "",
            "ftp://a.example",
            "data:text/plain,x",
            "https://user@a.example",
            "https://a.example 'unsafe-inline'",
            "https://*.example",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[wasm_bindgen_test]
    fn the_wildcards_match_subdomains_only() {
        let page = "https://mechscope.example";
        assert!(allows(page, &[], "https://cdn-lfs.huggingface.co"));
        assert!(allows(page, &[], "https://a.b.hf.co"));
        assert!(
            !allows(page, &[], "https://hf.co"),
            "*.hf.co is subdomains only"
        );
        assert!(
            !allows(page, &[], "http://cdn-lfs.huggingface.co"),
            "https only"
        );
        assert!(!allows(page, &[], "https://huggingface.co.evil.example"));
        assert!(!allows(page, &[], "https://xhuggingface.co"));
        assert!(allows(page, &[], page));
    }

    #[wasm_bindgen_test]
    fn the_test_page_checks_urls_against_its_own_origin() {
        assert!(
            check("public/examples/lpp.json").is_ok(),
            "relative is the page's"
        );
        let refused = check("https://evil.example/x.json").unwrap_err();
        assert!(
            refused.contains("https://evil.example is not among the hosts"),
            "{refused}"
        );
    }
}
