//! POST /auth/register: a new attendee account.

use super::{now, profile_response};
use crate::domain::account::{User, check_new_password, normalize_display_name, normalize_email};
use crate::domain::password;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Role};

pub async fn register<S: UserStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let password = fields.required_str("password");
    let display_name = fields.required_str("displayName");
    let email = email.and_then(|e| normalize_email(&e).map_err(|err| fields.error(&err.field, err.message)).ok());
    if let Some(password) = &password {
        if let Err(err) = check_new_password("password", password) {
            fields.error(&err.field, err.message);
        }
    }
    let display_name =
        display_name.and_then(|n| normalize_display_name(&n).map_err(|err| fields.error(&err.field, err.message)).ok());
    fields.finish()?;
    let (Some(email), Some(password), Some(display_name)) = (email, password, display_name) else {
        return Err(ApiError::internal());
    };

    let (_, at) = now();
    let user = User::new_account(email, display_name, Role::Attendee, password::hash(&password), &at);
    store.create_user(&user).await?;
    tracing::info!(user_id = %user.id, "account registered");
    let mut response = profile_response(StatusCode::CREATED, &user);
    response.headers_mut().insert("location", "/users/me".parse().expect("static header"));
    Ok(response)
}
