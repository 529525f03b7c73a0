//! EventBridge schedules, locally. moto accepts rules and schedules but never
//! fires them, so the runner does: `rate(...)`, `cron(...)` (AWS's six fields,
//! in the schedule's time zone) and `at(...)`; and anyone can fire a schedule now.

use crate::lambda::{FunctionPool, InvokeError};
use crate::output;
use crate::stack::Stack;
use crate::template::ScheduleSource;
use anyhow::{Result, anyhow, bail};
use axum::body::Bytes;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Expression {
    Rate(Duration),
    Cron(Box<cron::Schedule>),
    At(NaiveDateTime),
}

impl Expression {
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let inner = |prefix: &str| text.strip_prefix(prefix).and_then(|rest| rest.strip_suffix(')')).map(str::trim);
        if let Some(rate) = inner("rate(") {
            let (n, unit) = rate.split_once(' ').ok_or_else(|| anyhow!("rate needs a value and a unit: {text}"))?;
            let n: u64 = n.parse().map_err(|_| anyhow!("rate value is not a whole number: {text}"))?;
            if n == 0 {
                bail!("rate value must be positive: {text}");
            }
            let seconds = match unit.trim() {
                "minute" | "minutes" => 60,
                "hour" | "hours" => 3600,
                "day" | "days" => 86_400,
                other => bail!("unknown rate unit {other:?} in {text}"),
            };
            return Ok(Self::Rate(Duration::from_secs(n * seconds)));
        }
        if let Some(cron) = inner("cron(") {
            let fields: Vec<&str> = cron.split_whitespace().collect();
            if fields.len() != 6 {
                bail!(
                    "an AWS cron expression has six fields (minutes hours day-of-month month day-of-week year): {text}"
                );
            }
            if fields.iter().any(|f| f.contains('L') && *f != "L" || f.contains('W') || f.contains('#'))
                || fields.contains(&"L")
            {
                bail!("L, W and # are not supported locally: {text} (trigger it by hand instead)");
            }
            // The cron crate takes seconds first; AWS's `?` means "any".
            let converted: Vec<String> = std::iter::once("0".to_owned())
                .chain(fields.iter().map(|f| if *f == "?" { "*".to_owned() } else { (*f).to_owned() }))
                .collect();
            let schedule = cron::Schedule::from_str(&converted.join(" ")).map_err(|e| anyhow!("{text}: {e}"))?;
            return Ok(Self::Cron(Box::new(schedule)));
        }
        if let Some(at) = inner("at(") {
            let when = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S").map_err(|e| anyhow!("{text}: {e}"))?;
            return Ok(Self::At(when));
        }
        bail!("not a schedule expression: {text} (rate(...), cron(...) or at(...))")
    }

    /// The next firing strictly after `after`, in UTC; `None` when it never fires again.
    pub fn next_after(&self, after: DateTime<Utc>, timezone: Tz, started: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Rate(every) => {
                // Rates count from when the schedule was created, like EventBridge.
                let every = chrono::Duration::from_std(*every).ok()?;
                let elapsed = after - started;
                let periods = elapsed.num_milliseconds().div_euclid(every.num_milliseconds()) + 1;
                Some(started + every * periods as i32)
            }
            Self::Cron(schedule) => {
                schedule.after(&after.with_timezone(&timezone)).next().map(|t| t.with_timezone(&Utc))
            }
            Self::At(local) => {
                let when = timezone.from_local_datetime(local).earliest()?.with_timezone(&Utc);
                (when > after).then_some(when)
            }
        }
    }
}

#[derive(Clone)]
pub struct Schedule {
    /// `Function.Event`, the name used to trigger it.
    pub id: String,
    pub alias: Option<String>,
    pub expression_text: String,
    pub expression: Option<Expression>,
    pub timezone: Tz,
    pub input: Option<Value>,
    pub enabled: bool,
    pub max_retries: u32,
    pub function: Arc<FunctionPool>,
    pub region: String,
    pub rule_arn: String,
    /// Queue URL to send events that failed every retry to (the schedule's DeadLetterConfig).
    pub dead_letter_queue: Option<String>,
}

impl Schedule {
    /// A function's `Schedule`/`ScheduleV2` event. An expression the runner cannot
    /// parse leaves a schedule that fires only when triggered, with a warning.
    pub fn from_template(
        stack: &Stack,
        function_id: &str,
        source: &ScheduleSource,
        function: &Arc<FunctionPool>,
    ) -> Result<Self> {
        let expression = match Expression::parse(&source.expression) {
            Ok(e) => Some(e),
            Err(err) => {
                tracing::warn!("schedule {function_id}.{}: {err:#}; it fires only when triggered", source.event_name);
                None
            }
        };
        let timezone = match source.timezone.as_deref() {
            Some(tz) => tz.parse().map_err(|_| anyhow!("schedule {}: unknown time zone {tz}", source.event_name))?,
            None => Tz::UTC,
        };
        let dead_letter_queue = match &source.dead_letter_queue {
            Some(arn) => Some(stack.queue_of(arn)?.1),
            None => None,
        };
        let id = format!("{function_id}.{}", source.event_name);
        Ok(Schedule {
            rule_arn: format!(
                "arn:aws:events:{}:{}:rule/{}-{}",
                stack.options.region,
                crate::stack::ACCOUNT,
                stack.options.stack_name,
                id.replace('.', "-")
            ),
            id,
            alias: source.name.clone(),
            expression_text: source.expression.clone(),
            expression,
            timezone,
            input: source.input.clone(),
            enabled: source.enabled,
            max_retries: source.max_retries,
            function: function.clone(),
            region: stack.options.region.clone(),
            dead_letter_queue,
        })
    }

    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.alias.as_deref() == Some(name) || self.id.split_once('.').map(|(_, e)| e) == Some(name)
    }

    /// The EventBridge scheduled-event payload, unless the template gives an Input.
    pub fn payload(&self, at: DateTime<Utc>) -> Value {
        if let Some(input) = &self.input {
            return input.clone();
        }
        json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": crate::stack::ACCOUNT,
            "time": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "region": self.region,
            "resources": [self.rule_arn],
            "detail": {},
        })
    }

    /// Fires once now, synchronously; returns what the function answered.
    pub async fn fire(&self) -> Result<Bytes, InvokeError> {
        let payload = Bytes::from(self.payload(Utc::now()).to_string());
        self.function.invoke(payload).await
    }

    /// Fires as EventBridge does (asynchronously): retries with backoff, then the dead-letter queue.
    async fn fire_with_retries(&self, sqs: &aws_sdk_sqs::Client, at: DateTime<Utc>) {
        let payload = self.payload(at);
        let name = &self.function.config.logical_id;
        for attempt in 0..=self.max_retries {
            match self.function.invoke(Bytes::from(payload.to_string())).await {
                Ok(_) => return,
                Err(err) => {
                    output::platform(name, &format!("schedule {} attempt {} failed: {err}", self.id, attempt + 1));
                    tokio::time::sleep(Duration::from_secs(1 << attempt.min(6))).await;
                }
            }
        }
        if let Some(queue_url) = &self.dead_letter_queue {
            let sent = sqs.send_message().queue_url(queue_url).message_body(payload.to_string()).send().await;
            if let Err(err) = sent {
                tracing::warn!(schedule = %self.id, error = %aws_sdk_sqs::error::DisplayErrorContext(err), "dead-letter delivery failed");
            }
        }
    }
}

/// Fires the schedule at its times until the task is dropped.
pub async fn run(schedule: Schedule, sqs: aws_sdk_sqs::Client) {
    let Some(expression) = schedule.expression.clone() else { return };
    if !schedule.enabled {
        return;
    }
    let started = Utc::now();
    let mut after = started;
    while let Some(next) = expression.next_after(after, schedule.timezone, started) {
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait).await;
        let firing = schedule.clone();
        let sqs = sqs.clone();
        tokio::spawn(async move { firing.fire_with_retries(&sqs, next).await });
        after = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn rates_count_from_the_start() {
        let e = Expression::parse("rate(5 minutes)").unwrap();
        let start = utc("2026-01-01T10:00:00Z");
        assert_eq!(e.next_after(start, Tz::UTC, start), Some(utc("2026-01-01T10:05:00Z")));
        assert_eq!(e.next_after(utc("2026-01-01T10:07:00Z"), Tz::UTC, start), Some(utc("2026-01-01T10:10:00Z")));
        assert!(Expression::parse("rate(0 minutes)").is_err());
        assert!(Expression::parse("rate(1 fortnight)").is_err());
    }

    #[test]
    fn aws_cron_with_question_mark_and_weekday_names() {
        // Every Monday at 12:00 UTC; 2026-01-01 is a Thursday.
        let e = Expression::parse("cron(0 12 ? * MON *)").unwrap();
        let start = utc("2026-01-01T00:00:00Z");
        assert_eq!(e.next_after(start, Tz::UTC, start), Some(utc("2026-01-05T12:00:00Z")));
    }

    #[test]
    fn aws_cron_numeric_day_of_week_starts_on_sunday() {
        // In AWS cron, 1 is Sunday.
        let e = Expression::parse("cron(0 9 ? * 1 *)").unwrap();
        let start = utc("2026-01-01T00:00:00Z");
        assert_eq!(e.next_after(start, Tz::UTC, start), Some(utc("2026-01-04T09:00:00Z")));
    }

    #[test]
    fn cron_honours_the_schedule_time_zone() {
        // 03:00 in Paris is 02:00 UTC in winter.
        let e = Expression::parse("cron(0 3 * * ? *)").unwrap();
        let start = utc("2026-01-10T00:00:00Z");
        assert_eq!(e.next_after(start, chrono_tz::Europe::Paris, start), Some(utc("2026-01-10T02:00:00Z")));
    }

    #[test]
    fn one_time_schedules_fire_once() {
        let e = Expression::parse("at(2026-02-01T08:30:00)").unwrap();
        let start = utc("2026-01-10T00:00:00Z");
        let once = e.next_after(start, Tz::UTC, start).unwrap();
        assert_eq!(once, utc("2026-02-01T08:30:00Z"));
        assert_eq!(e.next_after(once, Tz::UTC, start), None);
    }

    #[test]
    fn unsupported_or_malformed_expressions_are_errors() {
        assert!(Expression::parse("cron(0 12 L * ? *)").is_err());
        assert!(Expression::parse("cron(0 12 * *)").is_err());
        assert!(Expression::parse("every day").is_err());
    }
}
