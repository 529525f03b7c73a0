//! POST /auth/register: `{email, password, displayName, language?}` → a new attendee
//! account (its language: the one sent, else the browser's `Accept-Language`).

use super::{now, profile_response};
use crate::domain::account::{User, check_new_password, normalize_display_name, normalize_email};
use crate::domain::password;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::locale::Language;
use shared::{ApiError, Clock, Role};

pub async fn handle<S: UserStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let password = fields.required_str("password");
    let display_name = fields.required_str("displayName");
    // The language asked for, else the browser's (emails are sent in it).
    let language = match fields.optional_str("language") {
        Some(tag) => match Language::parse(&tag) {
            Some(language) if language.code() == tag => Some(language),
            _ => {
                fields.error("language", "must be \"en\" or \"fr\"");
                None
            }
        },
        None => request
            .headers()
            .get("accept-language")
            .and_then(|h| h.to_str().ok())
            .and_then(Language::from_accept_language),
    };
    let email = email.and_then(|e| normalize_email(&e).map_err(|err| fields.error(&err.field, err.message)).ok());
    let password = password.filter(|p| match check_new_password("password", p) {
        Ok(()) => true,
        Err(err) => {
            fields.error(&err.field, err.message);
            false
        }
    });
    let display_name =
        display_name.and_then(|n| normalize_display_name(&n).map_err(|err| fields.error(&err.field, err.message)).ok());
    let (email, password, display_name) = fields.finish_with(|| Some((email?, password?, display_name?)))?;

    let (_, at) = now(clock);
    let user =
        User { language, ..User::new_account(email, display_name, Role::Attendee, password::hash(&password), &at) };
    store.create_user(&user).await?;
    tracing::info!(user_id = %user.id, "account registered");
    let mut response = profile_response(StatusCode::CREATED, &user);
    response.headers_mut().insert("location", "/users/me".parse().expect("static header"));
    Ok(response)
}
