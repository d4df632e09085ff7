UPDATE orders SET status = 1 WHERE status = 9;
