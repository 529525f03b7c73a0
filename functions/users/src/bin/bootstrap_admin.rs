//! Lambda entry point: creates or promotes the first admin (invoked directly, not routed).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use users::handlers::bootstrap::{BootstrapAdmin, bootstrap_admin};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<BootstrapAdmin>| async move {
        Ok::<_, Error>(bootstrap_admin(store, event.payload).await?)
    }))
    .await
}
