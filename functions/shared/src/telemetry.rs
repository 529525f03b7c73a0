//! Structured logs. Lambda's `LoggingConfig` (LogFormat JSON, ApplicationLogLevel)
//! reaches the function as `AWS_LAMBDA_LOG_FORMAT` / `AWS_LAMBDA_LOG_LEVEL`; the
//! local runner sets them too.
//!
//! In JSON, every line carries what an operator filters on in CloudWatch Logs
//! Insights: `function`, `requestId` (Lambda's), `correlationId` (the API request
//! that started a chain; it travels on queue messages) and `coldStart` (whether
//! this invocation is the process's first).
//!
//! Each invocation ends with one `invocation done` line: `durationMs` (the handler,
//! from the event to its answer), `awaitedMs` (the part spent waiting on DynamoDB, SQS,
//! SES or Stripe, from `outbound`) and `ownMs`, the rest: our own code's cost. Handlers
//! run through `run` (or `http::run`), which notes when they answer, so the time the
//! runtime then takes to hand the answer to Lambda is not counted as ours.

use lambda_runtime::tracing::subscriber::filter::{EnvFilter, LevelFilter};
use lambda_runtime::tracing::subscriber::fmt::format::{Format, Json, JsonFields, Writer};
use lambda_runtime::tracing::subscriber::fmt::{self, FmtContext, FormatEvent, FormatFields};
use lambda_runtime::tracing::subscriber::layer::{Context, Layer, SubscriberExt};
use lambda_runtime::tracing::subscriber::registry::LookupSpan;
use lambda_runtime::tracing::subscriber::util::SubscriberInitExt;
use serde_json::Value;
use std::str::FromStr;
use std::sync::OnceLock;
use tracing::{Event, Subscriber};

/// Call once at the top of `main`, before building clients.
pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL").or_else(|_| std::env::var("RUST_LOG"));
    let level = LevelFilter::from_str(level.as_deref().unwrap_or("INFO")).unwrap_or(LevelFilter::INFO);
    let filter = EnvFilter::builder().with_default_directive(level.into()).from_env_lossy();
    let builder = fmt().with_target(false).without_time().with_env_filter(filter);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    if json {
        let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
        let inner = fmt::format()
            .json()
            .with_target(false)
            .without_time()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true);
        let subscriber = builder.fmt_fields(JsonFields::new()).event_format(Enriched { inner, function }).finish();
        subscriber.with(Invocations).init();
    } else {
        builder.init();
    }
}

fn fmt() -> fmt::SubscriberBuilder {
    fmt::Subscriber::builder()
}

/// The JSON line the subscriber would write, with our fields added.
struct Enriched {
    inner: Format<Json, ()>,
    function: String,
}

impl<S, N> FormatEvent<S, N> for Enriched
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        let mut line = String::new();
        self.inner.format_event(ctx, Writer::new(&mut line), event)?;
        writeln!(writer, "{}", enrich(line.trim_end(), &self.function, first_request()))
    }
}

/// Follows the runtime's span of each invocation: notes the process's first one when
/// the span opens, whether or not that invocation logs anything (the cold start is
/// that invocation), and writes the `invocation done` line when it closes.
struct Invocations;

/// Runs an event handler (queues, schedules, the authorizer, direct invocations) the
/// way `lambda_runtime::run` does, noting when each invocation has its answer.
pub async fn run<A, R, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(lambda_runtime::LambdaEvent<A>) -> Fut,
    Fut: std::future::Future<Output = Result<R, lambda_runtime::Error>>,
    A: for<'de> serde::Deserialize<'de>,
    R: serde::Serialize,
{
    let handler = &handler;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<A>| async move {
        // Boxed: nested in the runtime's own futures, the handlers' deep futures
        // overflow the compiler's layout depth limit in release builds.
        let result = Box::pin(handler(event)).await;
        answered();
        result
    }))
    .await
}

/// The handler has its answer: the invocation's own time ends here.
pub fn answered() {
    *answered_at() = Some(std::time::Instant::now());
}

fn answered_at() -> std::sync::MutexGuard<'static, Option<std::time::Instant>> {
    static ANSWERED: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    ANSWERED.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// When an invocation's span opened, and its request id.
struct Started(std::time::Instant, Option<String>);

const INVOKE_SPAN: &str = "Lambda runtime invoke";

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Invocations {
    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, id: &tracing::span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != INVOKE_SPAN {
            return;
        }
        let _ = crate::outbound::take(); // waits before this invocation are not its own
        *answered_at() = None;
        struct RequestId(Option<String>);
        impl tracing::field::Visit for RequestId {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "requestId" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "requestId" {
                    self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
                }
            }
        }
        let mut request_id = RequestId(None);
        attrs.record(&mut request_id);
        if let Some(request_id) = &request_id.0 {
            let _ = first_request().set(request_id.clone());
        }
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Started(std::time::Instant::now(), request_id.0));
        }
    }

    fn on_close(&self, id: tracing::span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        if span.name() != INVOKE_SPAN {
            return;
        }
        let Some((started, request_id)) = span.extensions().get::<Started>().map(|s| (s.0, s.1.clone())) else {
            return;
        };
        let ended = answered_at().take().unwrap_or_else(std::time::Instant::now);
        let duration = ended.saturating_duration_since(started);
        let awaited = crate::outbound::take().min(duration);
        let ms = |d: std::time::Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
        // The span is closing: its fields no longer reach the line, so the id goes in the event.
        tracing::info!(
            requestId = request_id.unwrap_or_default(),
            durationMs = ms(duration),
            awaitedMs = ms(awaited),
            ownMs = ms(duration - awaited),
            "invocation done"
        );
    }
}

fn first_request() -> &'static OnceLock<String> {
    static FIRST: OnceLock<String> = OnceLock::new();
    &FIRST
}

/// Adds `function`, `requestId`, `correlationId` and `coldStart` to one JSON log
/// line, reading the ids from its spans. `first` remembers the process's first
/// request id: lines of that invocation (and of the init before it) are the cold start.
fn enrich(line: &str, function: &str, first: &OnceLock<String>) -> String {
    let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(line) else { return line.to_owned() };
    let spans = fields.get("spans").and_then(Value::as_array).cloned().unwrap_or_default();
    let find = |key: &str| spans.iter().rev().find_map(|span| span.get(key).and_then(Value::as_str).map(str::to_owned));
    let request_id = find("requestId").or_else(|| fields.get("requestId").and_then(Value::as_str).map(str::to_owned));
    let correlation_id = find("correlation_id").or_else(|| find("correlationId"));
    let cold_start = match &request_id {
        Some(id) => first.get_or_init(|| id.clone()) == id,
        None => first.get().is_none(),
    };
    fields.insert("function".into(), function.into());
    fields.insert("coldStart".into(), cold_start.into());
    if let Some(id) = request_id {
        fields.insert("requestId".into(), id.into());
    }
    if let Some(id) = correlation_id {
        fields.insert("correlationId".into(), id.into());
    }
    Value::Object(fields).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: String) -> Value {
        serde_json::from_str(&line).unwrap()
    }

    #[test]
    fn lines_get_function_ids_and_the_cold_start_flag() {
        let first = OnceLock::new();
        let init = parsed(enrich(r#"{"level":"INFO","message":"starting"}"#, "local-LoginFunction", &first));
        assert_eq!((init["function"].as_str(), init["coldStart"].as_bool()), (Some("local-LoginFunction"), Some(true)));

        let line = r#"{"level":"INFO","message":"signed in","spans":[{"name":"Lambda runtime invoke","requestId":"r1"},{"name":"request","correlation_id":"c9"}]}"#;
        let cold = parsed(enrich(line, "f", &first));
        assert_eq!((cold["requestId"].as_str(), cold["correlationId"].as_str()), (Some("r1"), Some("c9")));
        assert_eq!(cold["coldStart"], true, "the first invocation is the cold start");
        assert_eq!(cold["message"], "signed in", "the event's own fields stay");

        let warm = parsed(enrich(&line.replace("r1", "r2"), "f", &first));
        assert_eq!(warm["coldStart"], false);
        assert_eq!(parsed(enrich(line, "f", &first))["coldStart"], true, "lines of the first invocation stay cold");
    }

    #[test]
    fn text_that_is_not_a_json_object_passes_unchanged() {
        assert_eq!(enrich("plain words", "f", &OnceLock::new()), "plain words");
    }
}
