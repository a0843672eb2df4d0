//! The heavy-pollution emergency response from the store: alerts from forecasts and the alert log, control
//! lists, responses, compliance and the pairing duty.

pub mod alerts;
pub mod control;
