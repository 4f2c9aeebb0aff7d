-- The e-commerce site's sales (PostgreSQL), streamed into the topic ecsales_ec_uriage.
-- Run as the table owner in the ecsales database: psql -d ecsales -f ecsales-postgres.sql
CREATE TABLE ec_uriage (
    seq        SERIAL PRIMARY KEY,                    -- incrementing.column.name
    sales_time TIMESTAMP NOT NULL DEFAULT now(),
    sales_id   VARCHAR(80) NOT NULL,
    item_id    VARCHAR(80) NOT NULL,
    amount     INT NOT NULL,
    unit_price INT NOT NULL
);

INSERT INTO ec_uriage (sales_time, sales_id, item_id, amount, unit_price) VALUES
    ('2024-04-01 10:00:00', 'ECSID00001', 'MBJ0001', 1, 1500),
    ('2024-04-01 10:05:00', 'ECSID00002', 'MBJ0004', 2, 3000),
    ('2024-04-01 10:11:00', 'ECSID00003', 'MCJ0002', 1, 980);
