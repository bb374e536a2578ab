//! The model's Web Worker: loads models and runs jobs for the page.

fn main() {
    mechscope_web::worker::start();
}
