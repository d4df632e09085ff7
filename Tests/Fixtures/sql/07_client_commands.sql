-- Client commands the splitter understands: \g, \G, go, clear, \c, use, \u, quit.
SELECT 'ended by backslash g'\g SELECT 'ended by backslash G'\G
SELECT 'ended by backslash g at the end of a line' \g
go
SELECT 'this is cleared' \c SELECT 'after clear';
clear
use quickup_sqlsplit_b
SELECT DATABASE() AS current_db;
USE `quickup_sqlsplit_a`;
\u quickup_sqlsplit_b
SELECT DATABASE() AS current_db; \u quickup_sqlsplit_a
SELECT 'pending when quit comes' \q SELECT 'never sent';
SELECT 'never read';
