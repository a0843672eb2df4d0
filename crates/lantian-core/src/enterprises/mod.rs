//! Enterprises (企业): unified social credit codes, key industries and performance grades.

pub mod credit_code;
pub mod enterprise;
