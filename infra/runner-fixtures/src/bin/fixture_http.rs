//! A lambda_http function: proves that the runner's events parse the way the
//! real crate parses API Gateway events (path and query parameters, bodies).

use lambda_http::{Body, Error, Request, RequestExt, Response, service_fn};
use serde_json::json;

async fn handle(request: Request) -> Result<Response<Body>, Error> {
    let body: &[u8] = request.body().as_ref();
    let summary = json!({
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "pathParameters": request.path_parameters().iter().collect::<std::collections::BTreeMap<_, _>>(),
        "query": request.query_string_parameters().iter().collect::<Vec<_>>(),
        "bodyLength": body.len(),
        "bodyBytes": body.iter().take(16).collect::<Vec<_>>(),
        "contentType": request.headers().get("content-type").and_then(|v| v.to_str().ok()),
    });
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::Text(summary.to_string()))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(handle)).await
}
