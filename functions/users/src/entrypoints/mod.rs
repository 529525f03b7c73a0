//! One entry point per Lambda function of this domain: each builds its clients once,
//! then hands every event to its handler. `main.rs` picks one by the function's `Handler`.

pub mod add_member;
pub mod authorizer;
pub mod bootstrap_admin;
pub mod delete_me;
pub mod get_me;
pub mod list_members;
pub mod list_users;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod register;
pub mod remove_member;
pub mod set_role;
pub mod update_me;
