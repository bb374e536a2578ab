// Starts the page. A file rather than the inline <script> trunk would write, because the
// page's Content-Security-Policy allows no inline script (see web/src/hosts.rs).
import init from './mechscope-web.js';

await init({ module_or_path: new URL('mechscope-web_bg.wasm', import.meta.url) });
