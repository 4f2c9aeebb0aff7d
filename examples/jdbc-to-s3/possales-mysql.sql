-- The shops' point-of-sale sales (MySQL or MariaDB), streamed into the topic possales_pos_uriage.
-- Run in the possales database: mysql possales < possales-mysql.sql
CREATE TABLE pos_uriage (
    seq        INT NOT NULL AUTO_INCREMENT PRIMARY KEY,  -- incrementing.column.name
    sales_time DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    sales_id   VARCHAR(80) NOT NULL,
    shop_id    VARCHAR(80) NOT NULL,
    item_id    VARCHAR(80) NOT NULL,
    amount     INT NOT NULL,
    unit_price INT NOT NULL
);

INSERT INTO pos_uriage (sales_time, sales_id, shop_id, item_id, amount, unit_price) VALUES
    ('2024-04-01 09:30:00', 'POSSID00001', 'SHOP001', 'MBJ0001', 1, 1500),
    ('2024-04-01 09:42:00', 'POSSID00002', 'SHOP002', 'MCJ0002', 3, 980),
    ('2024-04-01 10:02:00', 'POSSID00003', 'SHOP001', 'MBJ0004', 1, 3000);
