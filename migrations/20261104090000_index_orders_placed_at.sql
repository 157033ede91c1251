-- migrate:up
CREATE INDEX index_orders_on_placed_at ON orders (placed_at);

-- migrate:down
DROP INDEX index_orders_on_placed_at;
