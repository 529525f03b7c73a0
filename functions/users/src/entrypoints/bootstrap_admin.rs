//! Entry point: creates or promotes the first admin (invoked directly, not routed).

use lambda_runtime::{Error, LambdaEvent};
use shared::SystemClock;
use users::handlers::bootstrap_admin::BootstrapAdmin;
use users::handlers::bootstrap_admin::handle;

pub async fn run() -> Result<(), Error> {
    let store = &users::store_from_env().await?;
    shared::telemetry::run(move |event: LambdaEvent<BootstrapAdmin>| async move {
        Ok::<_, Error>(handle(store, &SystemClock, event.payload).await?)
    })
    .await
}
