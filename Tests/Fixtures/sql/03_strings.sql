CREATE TABLE strings (id INT, s VARCHAR(200), `semi;colon` INT, `back``tick` INT);
INSERT INTO strings VALUES (1, 'a;b', 1, 1), (2, "c;d", 2, 2);
INSERT INTO strings VALUES (3, 'it\'s; escaped', 3, 3), (4, "say \"hi;\"", 4, 4);
INSERT INTO strings VALUES (5, 'it''s; doubled', 5, 5), (6, "x""y;", 6, 6);
INSERT INTO strings VALUES (7, 'back\\slash', 7, 7), (8, 'tab\tnew\nline\0nul', 8, 8);
INSERT INTO strings VALUES (9, '-- not a comment', 9, 9), (10, '# not a comment', 10, 10);
INSERT INTO strings VALUES (11, '/* not a comment */', 11, 11), (12, "/*! not executable */", 12, 12);
INSERT INTO strings VALUES (13, 'a string
over; two lines', 13, 13);
INSERT INTO strings VALUES (14, 'a backslash at the end of a line disappears\
here', 14, 14);
SELECT `semi;colon`, `back``tick` FROM strings WHERE s <> 'x;' AND s <> "y;";
SELECT 1 AS `a\`, 2 AS `b;c`;
SELECT \N IS NULL, 'a\Nb';
SELECT '', "", ''''; SELECT 'a''', """b";
