//! The hosted form page: plain HTML that works without JavaScript, one labelled
//! control per field, each problem written beside its field and tied to it with
//! `aria-describedby`. Every value that reaches the page goes through `escape`.

use hookflow::model::contact::FieldProblem;
use hookflow::model::fields::{Catalogue, Field, FieldKind};
use hookflow::store::{Form, FormKind, Question, QuestionKind};
use serde_json::{Map, Value};
use std::fmt::Write;

/// HTML-escapes text for element content and quoted attribute values. Five
/// characters are all it takes, so a small function beats a dependency here.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body`, with the app's stylesheet.
pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/pkg/hookflow.css\"></head>\
         <body><main class=\"content\" id=\"main\">{body}</main></body></html>\n",
        escape(title)
    )
}

pub fn thank_you(form: &Form) -> String {
    let message = match form.kind {
        FormKind::Subscription => "Thank you: you are subscribed.",
        FormKind::UpdateProfile => "Thank you: your profile is up to date.",
        FormKind::Survey => "Thank you: your answers are saved.",
    };
    let body = format!(
        "<h1>{}</h1><p class=\"lead\" role=\"status\">{message}</p>",
        escape(&form.name)
    );
    layout(&form.name, &body)
}

pub fn not_found() -> String {
    let body = "<h1>Form not found</h1><p class=\"lead\">This form does not exist \
        (any more). Check the address, or ask whoever sent it for a new link.</p>";
    layout("Form not found", body)
}

pub fn unavailable() -> String {
    let body = "<h1>Something went wrong</h1><p class=\"lead\">The form could not be \
        saved because of a problem on our side. Please try again in a moment.</p>";
    layout("Something went wrong", body)
}

/// What the form shows: values entered (or known), answers, and any problems.
pub struct Filled<'a> {
    pub values: &'a Map<String, Value>,
    pub answers: &'a Map<String, Value>,
    /// The signed contact token of an update-profile link, kept in the action.
    pub token: Option<&'a str>,
    pub problems: &'a [FieldProblem],
}

pub fn form_page(form: &Form, catalogue: &Catalogue<'_>, filled: &Filled<'_>) -> String {
    let mut body = format!("<h1>{}</h1>", escape(&form.name));
    if !filled.problems.is_empty() {
        body.push_str(
            "<p class=\"error\" role=\"alert\">Some fields need your attention; \
             each problem is written beside its field.</p>",
        );
    }
    let mut action = form.public_path();
    if let Some(token) = filled.token {
        let _ = write!(
            action,
            "?t={}",
            url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
        );
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"{}\" class=\"card\">",
        escape(&action)
    );
    for asked in &form.definition.fields {
        if let Some(field) = catalogue.get(&asked.key) {
            let value = text(filled.values.get(&asked.key));
            body.push_str(&field_html(
                &field,
                asked.required,
                &value,
                problem(filled, &asked.key),
            ));
        }
    }
    for q in &form.definition.questions {
        let at = format!("answers.{}", q.id);
        let value = text(filled.answers.get(&q.id));
        body.push_str(&question_html(q, &value, problem(filled, &at)));
    }
    let submit = match form.kind {
        FormKind::Subscription => "Subscribe",
        FormKind::UpdateProfile => "Save my profile",
        FormKind::Survey => "Send my answers",
    };
    let _ = write!(
        body,
        "<p><button type=\"submit\" class=\"button\">{submit}</button></p></form>"
    );
    layout(&form.name, &body)
}

fn problem<'a>(filled: &'a Filled<'_>, field: &str) -> Option<&'a str> {
    filled
        .problems
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.as_str())
}

fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The label's text, with "(required)" spelled out rather than a bare asterisk.
fn label_text(label: &str, required: bool) -> String {
    if required {
        format!("{} (required)", escape(label))
    } else {
        escape(label)
    }
}

/// `aria-*` attributes and the message shown beside a control with a problem.
fn problem_parts(id: &str, problem: Option<&str>) -> (String, String) {
    match problem {
        Some(message) => (
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\""),
            format!(
                "<br><span class=\"error\" id=\"{id}-error\">{}</span>",
                escape(message)
            ),
        ),
        None => (String::new(), String::new()),
    }
}

fn field_html(field: &Field<'_>, required: bool, value: &str, problem: Option<&str>) -> String {
    let id = format!("f-{}", escape(field.key));
    let name = escape(field.key);
    let (aria, message) = problem_parts(&id, problem);
    let req = if required { " required" } else { "" };
    let label = format!(
        "<label for=\"{id}\">{}</label><br>",
        label_text(field.label, required)
    );
    let control = match field.kind {
        FieldKind::Choice => {
            let mut select = format!(
                "<select id=\"{id}\" name=\"{name}\"{req}{aria}><option value=\"\"></option>"
            );
            for choice in field.choices {
                let selected = if *choice == value { " selected" } else { "" };
                let _ = write!(select, "<option{selected}>{}</option>", escape(choice));
            }
            select + "</select>"
        }
        _ if field.key == "note" => {
            format!(
                "<textarea id=\"{id}\" name=\"{name}\" rows=\"4\"{req}{aria}>{}</textarea>",
                escape(value)
            )
        }
        kind => {
            let (input_type, extra) = match kind {
                FieldKind::Email => ("email", ""),
                FieldKind::Number => ("number", " step=\"any\""),
                FieldKind::Date => ("date", ""),
                _ => ("text", ""),
            };
            let hint = autocomplete(field.key)
                .map(|a| format!(" autocomplete=\"{a}\""))
                .unwrap_or_default();
            format!(
                "<input type=\"{input_type}\" id=\"{id}\" name=\"{name}\" value=\"{}\"{extra}{hint}{req}{aria}>",
                escape(value)
            )
        }
    };
    format!("<p class=\"field\">{label}{control}{message}</p>")
}

/// What browsers and password managers need to fill a field in.
fn autocomplete(key: &str) -> Option<&'static str> {
    Some(match key {
        "email" => "email",
        "firstname" => "given-name",
        "lastname" => "family-name",
        "company" => "organization",
        "phone" => "tel",
        "language" => "language",
        "gender" => "sex",
        "birthdate" => "bday",
        "postalcode" => "postal-code",
        "country" => "country-name",
        _ => return None,
    })
}

fn question_html(q: &Question, value: &str, problem: Option<&str>) -> String {
    let id = format!("q-{}", escape(&q.id));
    let name = format!("answers.{}", escape(&q.id));
    let (aria, message) = problem_parts(&id, problem);
    let req = if q.required { " required" } else { "" };
    let label = label_text(&q.label, q.required);
    match q.kind {
        QuestionKind::Text => format!(
            "<p class=\"field\"><label for=\"{id}\">{label}</label><br>\
             <textarea id=\"{id}\" name=\"{name}\" rows=\"3\"{req}{aria}>{}</textarea>{message}</p>",
            escape(value)
        ),
        QuestionKind::Choice => {
            let mut set = format!("<fieldset id=\"{id}\"{aria}><legend>{label}</legend>");
            for option in &q.options {
                let checked = if option == value { " checked" } else { "" };
                let _ = write!(
                    set,
                    "<label><input type=\"radio\" name=\"{name}\" value=\"{}\"{checked}{req}> {}</label><br>",
                    escape(option),
                    escape(option)
                );
            }
            format!("{set}{message}</fieldset>")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_values_is_shown_as_text() {
        assert_eq!(
            escape(r#"<b>"Tom" & 'Jerry'</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
