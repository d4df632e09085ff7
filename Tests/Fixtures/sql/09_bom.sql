SELECT 'after a byte-order mark';
SELECT 2;
