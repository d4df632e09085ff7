-- The triggers are created, never fired: the server's general log (which the differential test
-- reads) also records some statements that triggers run.
CREATE TABLE accounts (id INT PRIMARY KEY, balance DECIMAL(10,2), updated_at DATETIME);
CREATE TABLE audit (account_id INT, old_balance DECIMAL(10,2), new_balance DECIMAL(10,2), note VARCHAR(60));
INSERT INTO accounts VALUES (1, 10.00, NULL), (2, 1.00, NULL);

DELIMITER //
CREATE TRIGGER accounts_before_update BEFORE UPDATE ON accounts
FOR EACH ROW
BEGIN
  SET NEW.updated_at = NOW();
  IF NEW.balance < 0 THEN
    SET NEW.balance = 0; -- never negative; really
  END IF;
END//
CREATE TRIGGER accounts_after_update AFTER UPDATE ON accounts
FOR EACH ROW
  INSERT INTO audit VALUES (OLD.id, OLD.balance, NEW.balance, 'changed; see // here')//
DELIMITER ;

SELECT * FROM audit;

-- mysqldump writes triggers like this:
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER accounts_before_insert BEFORE INSERT ON accounts FOR EACH ROW BEGIN
  SET NEW.updated_at = NOW();
END */;;
DELIMITER ;
SHOW TRIGGERS;
DROP TRIGGER accounts_before_update; DROP TRIGGER accounts_after_update; DROP TRIGGER accounts_before_insert;
