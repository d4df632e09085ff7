-- Stored programs need their own delimiter, as in every migration script.
CREATE TABLE proc_log (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100));

DELIMITER $$
CREATE PROCEDURE add_log(IN message VARCHAR(100))
BEGIN
  -- a comment inside the body; with a semicolon
  INSERT INTO proc_log (msg) VALUES (message);
  SELECT 'semicolons; and $$ in a string', "and $$ here", `id` FROM proc_log LIMIT 1;
  /* a block comment; inside */
  IF message = 'x' THEN
    SELECT 1;
  END IF;
END$$

CREATE FUNCTION twice(n INT) RETURNS INT DETERMINISTIC
RETURN n * 2 $$
DELIMITER ;

CALL add_log('first');
SELECT twice(21);

delimiter //
CREATE PROCEDURE counter()
BEGIN
  DECLARE i INT DEFAULT 0;
  WHILE i < 3 DO
    SET i = i + 1;
  END WHILE;
  SELECT i;
END //
delimiter ;
CALL counter();

DeLiMiTeR ;;
CREATE PROCEDURE noop() BEGIN SELECT 'noop;'; END;;
CALL noop();;
DELIMITER ;

DELIMITER '$ $' anything after the argument is ignored
SELECT 'quoted delimiter' $ $
DELIMITER ;
SELECT 'back to semicolons';
DROP PROCEDURE add_log; DROP FUNCTION twice; DROP PROCEDURE counter; DROP PROCEDURE noop;
