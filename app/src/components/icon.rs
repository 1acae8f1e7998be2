use leptos::prelude::*;

/// An icon from the sprite in public/icons.svg; decorative, so hidden from
/// screen readers (the control it sits in carries the words).
#[component]
pub fn Icon(name: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" aria-hidden="true" focusable="false">
            <use_ href=format!("/icons.svg#{name}") />
        </svg>
    }
}
