//! The page's entry point: mounts the app (the model runs in `mechscope-worker`).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(mechscope_web::app::App);
}
