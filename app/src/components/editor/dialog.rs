//! The side panel: a dialog that takes the focus when it opens, gives it back
//! when it closes, and closes on Escape.

use leptos::prelude::*;

#[component]
pub fn Dialog(
    /// The id of the heading that names it.
    title_id: &'static str,
    title: String,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Div>::new();
    let opener = StoredValue::new_local(None::<leptos::web_sys::Element>);
    Effect::new(move |_| {
        let Some(panel) = panel.get() else {
            return;
        };
        opener.set_value(document().active_element());
        let first = panel
            .query_selector("input:not([type=hidden]), select, textarea, button:not(.dialog-close)")
            .ok()
            .flatten();
        use leptos::wasm_bindgen::JsCast;
        match first.and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok()) {
            Some(el) => drop(el.focus()),
            None => drop(panel.focus()),
        }
    });
    on_cleanup(move || {
        use leptos::wasm_bindgen::JsCast;
        if let Some(el) = opener
            .try_get_value()
            .flatten()
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
    view! {
        <div
            class="panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby=title_id
            tabindex="-1"
            node_ref=panel
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.stop_propagation();
                    on_close.run(());
                }
            }
        >
            <div class="panel-head">
                <h2 id=title_id>{title}</h2>
                <button class="dialog-close" aria-label="Close" on:click=move |_| on_close.run(())>
                    "×"
                </button>
            </div>
            <div class="panel-body">{children()}</div>
        </div>
    }
}
