-- Windows line endings: the client drops the \r of each \r\n.
CREATE TABLE crlf (a INT, s VARCHAR(20));
INSERT INTO crlf
VALUES (1, 'multi
line');

DELIMITER $$
CREATE PROCEDURE crlf_proc()
BEGIN
  SELECT 1;
END$$
DELIMITER ;
CALL crlf_proc();
SELECT 'a lone  stays' AS s;
DROP PROCEDURE crlf_proc;
SELECT COUNT(*) FROM crlf
