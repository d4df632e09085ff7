-- Plain statements: several per line, across lines, empty ones, blank lines.
CREATE TABLE basics (id INT PRIMARY KEY, name VARCHAR(40), note TEXT);
INSERT INTO basics VALUES (1, 'one', NULL); INSERT INTO basics VALUES (2, 'two', NULL);

;;   ;
	SELECT
    id,
		name
  FROM basics
  WHERE id
        > 0   ;
SELECT COUNT(*)    FROM basics		;
UPDATE basics SET note = 'x' WHERE id = 1;
SELECT 1 AS a, 2 AS b ;  SELECT 3 ;
SELECT 'last statement, no delimiter'
