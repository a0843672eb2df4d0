//! Accounts of the web platform: `lantian user`.

pub(crate) mod user_cmd;
