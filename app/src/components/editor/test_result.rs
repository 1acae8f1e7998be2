//! What the Test button shows: a green check mark when the destination accepted
//! the request; a red X with "See error code", which opens the status or the
//! error in plain words and the start of the response.

use crate::server_fns::scenario_editor::Tested;
use hookflow::webhook::test_result::TestSendResult;
use leptos::prelude::*;

#[component]
pub fn TestOutcome(result: RwSignal<Option<Result<Tested, String>>>) -> impl IntoView {
    let details = RwSignal::new(false);
    move || {
        details.set(false);
        match result.get() {
            None => ().into_any(),
            Some(Ok(Tested::Sent(r))) if r.accepted => view! {
                <p class="test-result ok" role="status" data-testid="test-result">
                    <span class="mark" aria-hidden="true">"✓"</span>
                    {format!(" Accepted: the destination answered HTTP {} in {} ms.", r.status.unwrap_or(200), r.duration_ms)}
                </p>
            }
            .into_any(),
            Some(Ok(Tested::Sent(r))) => view! { <Refused r details /> }.into_any(),
            Some(Ok(Tested::Invalid(errors))) => view! {
                <p class="test-result bad" role="status" data-testid="test-result">
                    <span class="mark" aria-hidden="true">"✗"</span>
                    " Not sent: fix the form first ("
                    {errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")}
                    ")."
                </p>
            }
            .into_any(),
            Some(Ok(Tested::NoSuchContact)) => view! {
                <p class="test-result bad" role="status" data-testid="test-result">
                    <span class="mark" aria-hidden="true">"✗"</span>
                    " There is no contact with this email in the account."
                </p>
            }
            .into_any(),
            Some(Err(e)) => view! {
                <p class="test-result bad" role="status" data-testid="test-result">
                    <span class="mark" aria-hidden="true">"✗"</span>
                    " The test could not be run: " {e}
                </p>
            }
            .into_any(),
        }
    }
}

#[component]
fn Refused(r: TestSendResult, details: RwSignal<bool>) -> impl IntoView {
    let why = match (r.status, &r.error_message) {
        (Some(status), _) => {
            format!("The destination answered HTTP {status}, which is not a success (2xx).")
        }
        (None, Some(message)) => format!("The request did not get an answer: {message}."),
        (None, None) => "The request was not accepted.".to_string(),
    };
    let code = r
        .status
        .map(|s| format!("HTTP {s}"))
        .or(r.error_code.clone())
        .unwrap_or_default();
    let excerpt = r.response_excerpt.clone();
    view! {
        <div class="test-result bad" role="status" data-testid="test-result">
            <p>
                <span class="mark" aria-hidden="true">"✗"</span>
                " Not accepted. "
                <button type="button" class="link" aria-expanded=move || details.get().to_string()
                    on:click=move |_| details.update(|d| *d = !*d)>
                    "See error code"
                </button>
            </p>
            <Show when=move || details.get()>
                <div class="error-details" data-testid="error-details">
                    <p><strong>{code.clone()}</strong> " — " {why.clone()}</p>
                    <p>{format!("Tried in {} ms.", r.duration_ms)}</p>
                    {(!excerpt.is_empty()).then(|| view! {
                        <p>"Start of the response:"</p>
                        <pre class="excerpt">{excerpt.clone()}</pre>
                    })}
                </div>
            </Show>
        </div>
    }
}
