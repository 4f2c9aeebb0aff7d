//! Column type → Connect schema, as Confluent's `GenericDatabaseDialect.addFieldToSchema`
//! maps JDBC types (`dialect/GenericDatabaseDialect.java`).
//!
//! Each dialect first turns its catalog's type name into a [`SqlType`] (the JDBC type the
//! driver would report: `int4` → `INTEGER`, `DECIMAL(10,2)` → `DECIMAL`, …), then
//! [`map_column`] applies Confluent's rules:
//!
//! | SQL type | Connect schema |
//! |---|---|
//! | BOOLEAN | boolean |
//! | BIT | int8 |
//! | TINYINT | int8 (int16 when unsigned) |
//! | SMALLINT | int16 (int32 when unsigned) |
//! | INTEGER | int32 (int64 when unsigned) |
//! | BIGINT | int64 |
//! | REAL | float32 |
//! | FLOAT, DOUBLE | float64 |
//! | NUMERIC | per `numeric.mapping`, else Decimal(scale) |
//! | DECIMAL | Decimal(scale) |
//! | CHAR, VARCHAR, CLOB, … | string |
//! | BINARY, VARBINARY, BLOB | bytes |
//! | DATE / TIME / TIMESTAMP | Date / Time / Timestamp logical types |
//!
//! A nullable column becomes an optional field; unsupported types are left out of the
//! record, as Confluent does.

use connect_api::data::{Date, Decimal, Schema, SchemaBuilder, Time, Timestamp};

/// Confluent's `NUMERIC_TYPE_SCALE_LOW`: the smallest scale treated as an integer.
const NUMERIC_TYPE_SCALE_LOW: i32 = -84;
/// The scale used for a NUMERIC/DECIMAL column declared without one (Confluent's
/// `NUMERIC_TYPE_SCALE_HIGH`, used when the driver reports the scale as unset).
pub const NUMERIC_TYPE_SCALE_UNSET_DEFAULT: i32 = 127;

/// `numeric.mapping`: how NUMERIC columns are narrowed (Confluent's `NumericMapping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumericMapping {
    /// Always Decimal.
    #[default]
    None,
    /// Integers by precision when the scale is 0 and precision < 19.
    PrecisionOnly,
    /// Integers by precision for scale ≤ 0, float64 for scale > 0, when precision < 19.
    BestFit,
    /// Like best_fit, but any positive scale becomes float64 whatever the precision.
    BestFitEagerDouble,
}

impl NumericMapping {
    /// Parses the config value (case-insensitive).
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "precision_only" => Some(Self::PrecisionOnly),
            "best_fit" => Some(Self::BestFit),
            "best_fit_eager_double" => Some(Self::BestFitEagerDouble),
            _ => None,
        }
    }
}

/// The JDBC type of a column, as the dialect classified its catalog type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `BOOLEAN`.
    Boolean,
    /// `BIT` (one bit).
    Bit,
    /// `TINYINT`.
    TinyInt,
    /// `SMALLINT`.
    SmallInt,
    /// `INTEGER`.
    Integer,
    /// `BIGINT`.
    BigInt,
    /// `REAL` (single precision).
    Real,
    /// `FLOAT` / `DOUBLE` (double precision).
    Double,
    /// `NUMERIC`.
    Numeric,
    /// `DECIMAL`.
    Decimal,
    /// Character types.
    String,
    /// Binary types.
    Bytes,
    /// `DATE`.
    Date,
    /// `TIME`.
    Time,
    /// `TIMESTAMP` (without time zone).
    Timestamp,
    /// `TIMESTAMP WITH TIME ZONE` (PostgreSQL `timestamptz`), also a Timestamp.
    TimestampTz,
    /// Not supported: the column is left out.
    Unsupported,
}

/// A column as read from the catalog (or from a query's description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name (the field name).
    pub name: String,
    /// The database's type name, for messages.
    pub type_name: String,
    /// The classified type.
    pub sql_type: SqlType,
    /// Declared precision (0 when unknown).
    pub precision: i32,
    /// Declared scale; `None` when the type has none (e.g. PostgreSQL `numeric`).
    pub scale: Option<i32>,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether an integer type is signed.
    pub signed: bool,
    /// Whether the database assigns the value (auto-increment, serial, identity, rowid).
    pub auto_increment: bool,
}

/// How a column's values are turned into Connect values: the physical target type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// boolean.
    Boolean,
    /// int8.
    Int8,
    /// int16.
    Int16,
    /// int32.
    Int32,
    /// int64.
    Int64,
    /// float32.
    Float32,
    /// float64.
    Float64,
    /// Decimal with this scale.
    Decimal(i32),
    /// string.
    String,
    /// bytes.
    Bytes,
    /// Date (days since epoch).
    Date,
    /// Time (ms since midnight).
    Time,
    /// Timestamp (ms since epoch).
    Timestamp,
}

fn int_by_precision(precision: i32) -> Kind {
    if precision > 9 {
        Kind::Int64
    } else if precision > 4 {
        Kind::Int32
    } else if precision > 2 {
        Kind::Int16
    } else {
        Kind::Int8
    }
}

/// The kind a column maps to, `None` when Confluent leaves the column out.
pub fn column_kind(column: &ColumnDef, numeric: NumericMapping) -> Option<Kind> {
    let decimal_scale = column.scale.unwrap_or(NUMERIC_TYPE_SCALE_UNSET_DEFAULT);
    let kind = match column.sql_type {
        SqlType::Boolean => Kind::Boolean,
        SqlType::Bit => Kind::Int8,
        SqlType::TinyInt if column.signed => Kind::Int8,
        SqlType::TinyInt => Kind::Int16,
        SqlType::SmallInt if column.signed => Kind::Int16,
        SqlType::SmallInt => Kind::Int32,
        SqlType::Integer if column.signed => Kind::Int32,
        SqlType::Integer => Kind::Int64,
        SqlType::BigInt => Kind::Int64,
        SqlType::Real => Kind::Float32,
        SqlType::Double => Kind::Float64,
        SqlType::Numeric => {
            let precision = column.precision;
            let scale = column.scale.unwrap_or(0);
            match numeric {
                NumericMapping::PrecisionOnly if scale == 0 && precision < 19 => {
                    int_by_precision(precision)
                }
                NumericMapping::BestFit | NumericMapping::BestFitEagerDouble
                    if precision < 19 && (NUMERIC_TYPE_SCALE_LOW..1).contains(&scale) =>
                {
                    int_by_precision(precision)
                }
                NumericMapping::BestFit if precision < 19 && scale > 0 => Kind::Float64,
                NumericMapping::BestFitEagerDouble if scale > 0 => Kind::Float64,
                _ => Kind::Decimal(decimal_scale),
            }
        }
        SqlType::Decimal => Kind::Decimal(decimal_scale),
        SqlType::String => Kind::String,
        SqlType::Bytes => Kind::Bytes,
        SqlType::Date => Kind::Date,
        SqlType::Time => Kind::Time,
        SqlType::Timestamp | SqlType::TimestampTz => Kind::Timestamp,
        SqlType::Unsupported => return None,
    };
    Some(kind)
}

/// The Connect schema of a field of `kind`.
pub fn kind_schema(kind: Kind, optional: bool) -> Schema {
    let builder = match kind {
        Kind::Boolean => SchemaBuilder::boolean(),
        Kind::Int8 => SchemaBuilder::int8(),
        Kind::Int16 => SchemaBuilder::int16(),
        Kind::Int32 => SchemaBuilder::int32(),
        Kind::Int64 => SchemaBuilder::int64(),
        Kind::Float32 => SchemaBuilder::float32(),
        Kind::Float64 => SchemaBuilder::float64(),
        Kind::Decimal(scale) => Decimal::builder(scale),
        Kind::String => SchemaBuilder::string(),
        Kind::Bytes => SchemaBuilder::bytes(),
        Kind::Date => Date::builder(),
        Kind::Time => Time::builder(),
        Kind::Timestamp => Timestamp::builder(),
    };
    let builder = if optional {
        builder.optional()
    } else {
        builder
    };
    builder
        .build()
        .unwrap_or_else(|_| unreachable!("a primitive or logical schema without default is valid"))
}

/// A table's (or query's) record layout: the mapped columns in order, and the value schema.
#[derive(Debug, Clone)]
pub struct RowLayout {
    /// The mapped columns, with their kinds, in select order; `index` is the column's
    /// position in the result row.
    pub columns: Vec<MappedColumn>,
    /// The Struct schema (named after the table; unnamed in query mode, as Confluent).
    pub schema: Schema,
    /// The names of all the columns the layout was built from, mapped or not, in order:
    /// a result with other columns means the table changed.
    pub source_columns: Vec<String>,
}

/// One column that made it into the schema.
#[derive(Debug, Clone)]
pub struct MappedColumn {
    /// Position in the result row.
    pub index: usize,
    /// The column.
    pub def: ColumnDef,
    /// How its values are converted.
    pub kind: Kind,
}

impl RowLayout {
    /// Maps `columns`; the Struct is named `name` (Confluent names it after the table).
    pub fn new(
        name: Option<&str>,
        columns: &[ColumnDef],
        numeric: NumericMapping,
    ) -> connect_api::Result<Self> {
        let mut builder = SchemaBuilder::struct_();
        if let Some(name) = name {
            builder = builder.name(name);
        }
        let mut mapped = Vec::new();
        for (index, def) in columns.iter().enumerate() {
            let Some(kind) = column_kind(def, numeric) else {
                tracing::warn!(column = %def.name, type_name = %def.type_name,
                    "JDBC type not currently supported, the column is left out");
                continue;
            };
            builder = builder.field(def.name.clone(), kind_schema(kind, def.nullable));
            mapped.push(MappedColumn {
                index,
                def: def.clone(),
                kind,
            });
        }
        Ok(Self {
            columns: mapped,
            schema: builder.build()?,
            source_columns: columns.iter().map(|c| c.name.clone()).collect(),
        })
    }

    /// The mapped column called `name`.
    pub fn column(&self, name: &str) -> Option<&MappedColumn> {
        self.columns.iter().find(|c| c.def.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::SchemaType;

    fn col(sql_type: SqlType, precision: i32, scale: Option<i32>) -> ColumnDef {
        ColumnDef {
            name: "c".into(),
            type_name: "t".into(),
            sql_type,
            precision,
            scale,
            nullable: false,
            signed: true,
            auto_increment: false,
        }
    }

    #[test]
    fn integers_widen_when_unsigned() {
        let mut c = col(SqlType::TinyInt, 3, Some(0));
        assert_eq!(column_kind(&c, NumericMapping::None), Some(Kind::Int8));
        c.signed = false;
        assert_eq!(column_kind(&c, NumericMapping::None), Some(Kind::Int16));
        c.sql_type = SqlType::Integer;
        assert_eq!(column_kind(&c, NumericMapping::None), Some(Kind::Int64));
        c.sql_type = SqlType::SmallInt;
        assert_eq!(column_kind(&c, NumericMapping::None), Some(Kind::Int32));
    }

    #[test]
    fn numeric_mapping_follows_confluent() {
        use NumericMapping::*;
        let cases = [
            // (precision, scale, none, precision_only, best_fit, best_fit_eager_double)
            (
                5,
                Some(0),
                Kind::Decimal(0),
                Kind::Int32,
                Kind::Int32,
                Kind::Int32,
            ),
            (
                2,
                Some(0),
                Kind::Decimal(0),
                Kind::Int8,
                Kind::Int8,
                Kind::Int8,
            ),
            (
                3,
                Some(0),
                Kind::Decimal(0),
                Kind::Int16,
                Kind::Int16,
                Kind::Int16,
            ),
            (
                18,
                Some(0),
                Kind::Decimal(0),
                Kind::Int64,
                Kind::Int64,
                Kind::Int64,
            ),
            (
                19,
                Some(0),
                Kind::Decimal(0),
                Kind::Decimal(0),
                Kind::Decimal(0),
                Kind::Decimal(0),
            ),
            (
                10,
                Some(2),
                Kind::Decimal(2),
                Kind::Decimal(2),
                Kind::Float64,
                Kind::Float64,
            ),
            (
                30,
                Some(2),
                Kind::Decimal(2),
                Kind::Decimal(2),
                Kind::Decimal(2),
                Kind::Float64,
            ),
            (
                5,
                Some(-2),
                Kind::Decimal(-2),
                Kind::Decimal(-2),
                Kind::Int32,
                Kind::Int32,
            ),
        ];
        for (p, s, none, prec, best, eager) in cases {
            let c = col(SqlType::Numeric, p, s);
            assert_eq!(column_kind(&c, None), Some(none), "{p},{s:?}");
            assert_eq!(column_kind(&c, PrecisionOnly), Some(prec), "{p},{s:?}");
            assert_eq!(column_kind(&c, BestFit), Some(best), "{p},{s:?}");
            assert_eq!(
                column_kind(&c, BestFitEagerDouble),
                Some(eager),
                "{p},{s:?}"
            );
        }
        // DECIMAL is never narrowed (only JDBC NUMERIC is, in Confluent).
        let c = col(SqlType::Decimal, 5, Some(0));
        assert_eq!(column_kind(&c, BestFit), Some(Kind::Decimal(0)));
        // No declared scale: Confluent's NUMERIC_TYPE_SCALE_HIGH.
        let c = col(SqlType::Decimal, 0, Option::None);
        assert_eq!(column_kind(&c, None), Some(Kind::Decimal(127)));
    }

    #[test]
    fn layout_names_struct_and_marks_nullable_optional() -> connect_api::Result<()> {
        let mut id = col(SqlType::BigInt, 19, Some(0));
        id.name = "id".into();
        let mut name = col(SqlType::String, 0, Option::None);
        name.name = "name".into();
        name.nullable = true;
        let mut weird = col(SqlType::Unsupported, 0, Option::None);
        weird.name = "weird".into();
        let mut at = col(SqlType::Timestamp, 0, Option::None);
        at.name = "at".into();
        let layout = RowLayout::new(Some("orders"), &[id, name, weird, at], NumericMapping::None)?;
        assert_eq!(layout.schema.name(), Some("orders"));
        let fields = layout.schema.fields()?;
        let names: Vec<_> = fields.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["id", "name", "at"]);
        assert!(!fields[0].schema().is_optional());
        assert!(fields[1].schema().is_optional());
        assert_eq!(fields[2].schema().schema_type(), SchemaType::Int64);
        assert_eq!(
            fields[2].schema().name(),
            Some("org.apache.kafka.connect.data.Timestamp")
        );
        assert_eq!(layout.columns[2].index, 3);
        // Every column counts when a result is compared with the layout, mapped or not.
        assert_eq!(layout.source_columns, ["id", "name", "weird", "at"]);
        Ok(())
    }
}
