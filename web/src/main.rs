//! The page's entry point: fixes the hosts the page may contact, then mounts the app
//! (the model runs in `mechscope-worker`).

fn main() {
    console_error_panic_hook::set_once();
    // Before the first request: see `hosts` for why the policy is added here.
    if let Err(e) = mechscope_web::hosts::install() {
        web_sys::console::error_2(&"the hosts policy could not be installed:".into(), &e);
    }
    mechscope_web::hosts::watch_violations();
    leptos::mount::mount_to_body(mechscope_web::app::App);
}
