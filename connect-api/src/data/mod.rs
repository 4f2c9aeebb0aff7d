//! The Connect data model: schemas, values, structs and logical types.
//!
//! Start with [`Schema`] / [`SchemaBuilder`], then [`Value`] and [`Struct`];
//! [`validate_value`] is the single place that decides whether a value fits a schema.

mod logical;
mod schema;
mod validate;
mod value;

pub use logical::{
    civil_from_days, days_from_civil, Date, Decimal, Time, Timestamp, DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME, DECIMAL_SCALE_PARAMETER, MILLIS_PER_DAY, TIMESTAMP_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
};
pub use schema::{Field, Schema, SchemaBuilder, SchemaType};
pub use validate::{validate_field_value, validate_value};
pub use value::{Struct, Value};
