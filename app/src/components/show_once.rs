//! A secret shown once (a new API token, a new signing secret): readable and
//! selectable, a Copy button, and a warning that it will not be shown again.

use leptos::prelude::*;

#[component]
pub fn ShowOnce(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    secret: String,
    #[prop(into)] warning: String,
) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let to_copy = secret.clone();
    let copy = move |_| {
        copied.set(Some(if copy_text(&to_copy) {
            "Copied to the clipboard."
        } else {
            "Select the text and copy it yourself."
        }))
    };
    view! {
        <div class="show-once" data-testid=format!("{id}-once")>
            <p class="show-once-warning" id=format!("{id}-warning")>
                <strong>"Shown only once. "</strong>{warning}
            </p>
            <label for=id.clone()>{label}</label>
            <div class="copy-row">
                <input id=id.clone() class="secret" type="text" readonly value=secret
                    aria-describedby=format!("{id}-warning") spellcheck="false" />
                <button class="button" type="button" on:click=copy>"Copy"</button>
            </div>
            <p class="muted" role="status">{move || copied.get()}</p>
        </div>
    }
}

/// Writes to the clipboard (`navigator.clipboard.writeText`); false when the
/// browser does not offer it (an insecure origin, an old browser).
fn copy_text(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use leptos::web_sys::js_sys::{Function, Reflect};
        let Ok(navigator) = Reflect::get(&window(), &JsValue::from_str("navigator")) else {
            return false;
        };
        let Ok(clipboard) = Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
            return false;
        };
        if clipboard.is_undefined() {
            return false;
        }
        let Some(write) = Reflect::get(&clipboard, &JsValue::from_str("writeText"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return false;
        };
        write.call1(&clipboard, &JsValue::from_str(text)).is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}
