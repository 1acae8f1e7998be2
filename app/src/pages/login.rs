//! The login page: a plain HTML form that posts to `/login`, so it works before
//! (and without) the wasm. The server checks the password and the rate limit
//! (server/src/routes/auth.rs) and, when the login fails, renders this page
//! again with a `LoginProblem` in context.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

/// Why the last attempt failed, and the email typed, to show them again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginProblem {
    pub message: String,
    pub email: String,
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // Rendered on the server, read back by the browser when it hydrates.
    let problem = SharedValue::new(use_context::<LoginProblem>).into_inner();
    // The form posts to the same address, so `?next=` (where to go after
    // logging in) survives a failed attempt.
    let search = use_location().search.get_untracked();
    let action = if search.is_empty() {
        "/login".to_string()
    } else {
        format!("/login?{search}")
    };
    let email = problem
        .as_ref()
        .map(|p| p.email.clone())
        .unwrap_or_default();
    // After a failed attempt the email is filled in: the password is next.
    let typed = !email.is_empty();
    view! {
        <Title text="Log in" />
        <section class="card login" aria-labelledby="login-title">
            <h1 id="login-title">"Log in"</h1>
            <p class="login-intro">"Welcome back. Log in to build and follow your scenarios."</p>
            {problem.map(|p| view! {
                <p class="error login-problem" role="alert" data-testid="login-problem">{p.message}</p>
            })}
            <form method="post" action=action class="login-form">
                <label for="login-email">"Email"</label>
                <input id="login-email" name="email" type="email" autocomplete="username"
                    required autofocus=!typed value=email />
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password"
                    autocomplete="current-password" required autofocus=typed />
                <button class="button" type="submit">"Log in"</button>
            </form>
        </section>
    }
}
