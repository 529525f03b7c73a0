//! DELETE /users/me: erases the caller's personal data (name, email, password) and
//! signs out every session. The account id stays, so organizers' records of past
//! reservations remain consistent without saying who the person was.

use super::{no_content, now, own_account};
use crate::store::UserStore;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock, caller};

pub async fn handle<S: UserStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let (_, now_text) = now(clock);
    let user = own_account(store, &caller.user_id).await?;
    store.erase_user(&user, &now_text).await?;
    tracing::info!(user_id = %user.id, "account erased");
    Ok(no_content())
}
