//! The reservations domain's Lambda binary. Every function of the domain deploys it; the
//! function's `Handler` in template.yaml (Lambda passes it as `_HANDLER`) picks the
//! entry point, so a release build links the AWS SDK once per domain, not once per endpoint.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "apply_payment_outcomes" => entrypoints::apply_payment_outcomes::run().await,
        "cancel_event_reservations" => entrypoints::cancel_event_reservations::run().await,
        "cancel_reservation" => entrypoints::cancel_reservation::run().await,
        "check_promo_code" => entrypoints::check_promo_code::run().await,
        "create_promo_code" => entrypoints::create_promo_code::run().await,
        "create_reservation" => entrypoints::create_reservation::run().await,
        "forward_reservation_changes" => entrypoints::forward_reservation_changes::run().await,
        "get_calendar" => entrypoints::get_calendar::run().await,
        "get_reservation" => entrypoints::get_reservation::run().await,
        "get_sales_over_time" => entrypoints::get_sales_over_time::run().await,
        "get_tickets_pdf" => entrypoints::get_tickets_pdf::run().await,
        "get_waiting_place" => entrypoints::get_waiting_place::run().await,
        "join_waiting_list" => entrypoints::join_waiting_list::run().await,
        "leave_waiting_list" => entrypoints::leave_waiting_list::run().await,
        "list_my_reservations" => entrypoints::list_my_reservations::run().await,
        "list_promo_codes" => entrypoints::list_promo_codes::run().await,
        "list_waiting_lists" => entrypoints::list_waiting_lists::run().await,
        "offer_freed_seats" => entrypoints::offer_freed_seats::run().await,
        "record_sales" => entrypoints::record_sales::run().await,
        "refund_reservation" => entrypoints::refund_reservation::run().await,
        "release_expired_holds" => entrypoints::release_expired_holds::run().await,
        "retry_payment" => entrypoints::retry_payment::run().await,
        "send_reminders" => entrypoints::send_reminders::run().await,
        "start_reminders" => entrypoints::start_reminders::run().await,
        "transfer_reservation" => entrypoints::transfer_reservation::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
