//! One entry point per Lambda function of this domain: each builds its clients once,
//! then hands every event to its handler. `main.rs` picks one by the function's `Handler`.

pub mod apply_payment_outcomes;
pub mod cancel_event_reservations;
pub mod cancel_reservation;
pub mod check_promo_code;
pub mod create_promo_code;
pub mod create_reservation;
pub mod forward_reservation_changes;
pub mod get_calendar;
pub mod get_reservation;
pub mod get_sales_over_time;
pub mod get_tickets_pdf;
pub mod get_waiting_place;
pub mod join_waiting_list;
pub mod leave_waiting_list;
pub mod list_my_reservations;
pub mod list_promo_codes;
pub mod list_waiting_lists;
pub mod offer_freed_seats;
pub mod record_sales;
pub mod refund_reservation;
pub mod release_expired_holds;
pub mod retry_payment;
pub mod send_reminders;
pub mod start_reminders;
pub mod transfer_reservation;
