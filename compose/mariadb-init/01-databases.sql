-- 01-databases.sql -- run once by the mariadb image, when its data volume is empty.
-- The image has already created the `orderfleet` database and the `orderfleet`@`%` user with
-- ALL on it (MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD). This adds the buyer- and
-- seller-side databases of order-sync (OF_MYSQL_BUYER_DB, OF_MYSQL_SELLER_DB) with the same
-- grant and nothing more. No password here: the user exists already.
CREATE DATABASE IF NOT EXISTS `orderfleet_buyer` CHARACTER SET utf8mb4;
CREATE DATABASE IF NOT EXISTS `orderfleet_seller` CHARACTER SET utf8mb4;
GRANT ALL PRIVILEGES ON `orderfleet_buyer`.* TO 'orderfleet'@'%';
GRANT ALL PRIVILEGES ON `orderfleet_seller`.* TO 'orderfleet'@'%';
