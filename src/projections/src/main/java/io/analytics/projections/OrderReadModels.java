package io.analytics.projections;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.core.order.Order;
import io.analytics.core.order.OrderEvent;
import io.analytics.core.order.OrderItem;
import io.analytics.core.order.OrderStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The order read models, as SQL over one connection (the projection's transaction):
 * <ul>
 *   <li>{@code order_view}: every order as it is now, one row each (by id, and by user);</li>
 *   <li>{@code order_stats}: per hour and per day, orders paid, revenue and refunds, by currency;</li>
 *   <li>{@code product_sales}: units and revenue per product, per hour, per day and in total;</li>
 *   <li>{@code inventory}: units per product reserved by open orders and sold.</li>
 * </ul>
 * A view row is the order state folded by the core's own {@link Order#apply}, so the read side
 * cannot drift from the write side's rules. Counters are incremented with SQL MERGE, which the
 * exactly-once projection runs in the same transaction as its offset.
 */
public final class OrderReadModels {

    static final List<String> TABLES = List.of("order_view", "order_stats", "product_sales", "inventory");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Item>> ITEMS = new TypeReference<>() {};
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;

    /** One item as stored in {@code order_view.items}. */
    record Item(String product, int quantity, BigDecimal price) {}

    private final String suffix;

    /** @param suffix appended to every table name: empty for the live tables, a marker for a rebuild aside */
    public OrderReadModels(String suffix) {
        this.suffix = suffix;
    }

    public String table(String name) {
        return name + suffix;
    }

    public List<String> createStatements() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + table("order_view") + " (project_id VARCHAR(200) NOT NULL, order_id VARCHAR(200) NOT NULL, "
                        + "user_id VARCHAR(200) NOT NULL, status VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, "
                        + "total DECIMAL(19,4) NOT NULL, paid DECIMAL(19,4) NOT NULL, refunded DECIMAL(19,4) NOT NULL, "
                        + "pending DECIMAL(19,4) NOT NULL, items VARCHAR(20000) NOT NULL, version BIGINT NOT NULL, "
                        + "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (project_id, order_id))",
                "CREATE INDEX IF NOT EXISTS " + table("order_view") + "_by_user ON " + table("order_view") + " (project_id, user_id, created_at)",
                "CREATE TABLE IF NOT EXISTS " + table("order_stats") + " (project_id VARCHAR(200) NOT NULL, granularity VARCHAR(4) NOT NULL, "
                        + "bucket_start BIGINT NOT NULL, currency VARCHAR(3) NOT NULL, orders BIGINT NOT NULL, "
                        + "revenue DECIMAL(19,4) NOT NULL, refunds DECIMAL(19,4) NOT NULL, "
                        + "PRIMARY KEY (project_id, granularity, bucket_start, currency))",
                "CREATE TABLE IF NOT EXISTS " + table("product_sales") + " (project_id VARCHAR(200) NOT NULL, granularity VARCHAR(4) NOT NULL, "
                        + "bucket_start BIGINT NOT NULL, product_id VARCHAR(200) NOT NULL, currency VARCHAR(3) NOT NULL, "
                        + "units BIGINT NOT NULL, revenue DECIMAL(19,4) NOT NULL, "
                        + "PRIMARY KEY (project_id, granularity, bucket_start, product_id, currency))",
                "CREATE TABLE IF NOT EXISTS " + table("inventory") + " (project_id VARCHAR(200) NOT NULL, product_id VARCHAR(200) NOT NULL, "
                        + "reserved BIGINT NOT NULL, sold BIGINT NOT NULL, PRIMARY KEY (project_id, product_id))");
    }

    /** Applies one journaled order event; {@code entityId} is {@code <project>/<order id>}. */
    public void apply(Connection connection, String entityId, OrderEvent event) throws SQLException {
        String project = entityId.substring(0, entityId.indexOf('/'));
        String orderId = entityId.substring(entityId.indexOf('/') + 1);
        Order before = load(connection, project, orderId);
        Order after = before.apply(event);
        save(connection, project, after);
        if (event instanceof OrderEvent.OrderCreated) {
            adjustInventory(connection, project, after.items(), 1, 0);
        } else if (event instanceof OrderEvent.OrderCancelled) {
            adjustInventory(connection, project, after.items(), -1, 0);
        } else if (event instanceof OrderEvent.PaymentSucceeded paid) {
            adjustInventory(connection, project, after.items(), -1, 1);
            recordSale(connection, project, after, paid);
        } else if (event instanceof OrderEvent.OrderRefunded refund) {
            addStats(connection, project, "hour", bucket(refund.at(), HOUR), after.currency(), 0, BigDecimal.ZERO, refund.amount());
            addStats(connection, project, "day", bucket(refund.at(), DAY), after.currency(), 0, BigDecimal.ZERO, refund.amount());
        }
    }

    private Order load(Connection connection, String project, String orderId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT user_id, status, currency, total, paid, refunded, "
                + "pending, items, version, created_at, updated_at FROM " + table("order_view") + " WHERE project_id = ? AND order_id = ?")) {
            select.setString(1, project);
            select.setString(2, orderId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Order.empty(orderId);
                }
                return new Order(orderId, row.getString(1), items(row.getString(8)), row.getString(3), row.getBigDecimal(4),
                        OrderStatus.valueOf(row.getString(2)), row.getBigDecimal(5), row.getBigDecimal(6), row.getBigDecimal(7),
                        row.getLong(9), Instant.ofEpochMilli(row.getLong(10)), Instant.ofEpochMilli(row.getLong(11)));
            }
        }
    }

    private void save(Connection connection, String project, Order order) throws SQLException {
        String sql = "MERGE INTO " + table("order_view") + " v USING (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)))) "
                + "AS s(project_id, order_id) ON v.project_id = s.project_id AND v.order_id = s.order_id "
                + "WHEN MATCHED THEN UPDATE SET status = ?, paid = ?, refunded = ?, pending = ?, version = ?, updated_at = ? "
                + "WHEN NOT MATCHED THEN INSERT (project_id, order_id, user_id, status, currency, total, paid, refunded, pending, "
                + "items, version, created_at, updated_at) VALUES (s.project_id, s.order_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement merge = connection.prepareStatement(sql)) {
            merge.setString(1, project);
            merge.setString(2, order.orderId());
            merge.setString(3, order.status().name());
            merge.setBigDecimal(4, order.paid());
            merge.setBigDecimal(5, order.refunded());
            merge.setBigDecimal(6, order.pendingPayment());
            merge.setLong(7, order.version());
            merge.setLong(8, order.updatedAt().toEpochMilli());
            merge.setString(9, order.userId());
            merge.setString(10, order.status().name());
            merge.setString(11, order.currency());
            merge.setBigDecimal(12, order.total());
            merge.setBigDecimal(13, order.paid());
            merge.setBigDecimal(14, order.refunded());
            merge.setBigDecimal(15, order.pendingPayment());
            merge.setString(16, itemsJson(order.items()));
            merge.setLong(17, order.version());
            merge.setLong(18, order.createdAt().toEpochMilli());
            merge.setLong(19, order.updatedAt().toEpochMilli());
            merge.executeUpdate();
        }
    }

    private void recordSale(Connection connection, String project, Order order, OrderEvent.PaymentSucceeded paid) throws SQLException {
        long hour = bucket(paid.at(), HOUR);
        long day = bucket(paid.at(), DAY);
        addStats(connection, project, "hour", hour, order.currency(), 1, paid.amount(), BigDecimal.ZERO);
        addStats(connection, project, "day", day, order.currency(), 1, paid.amount(), BigDecimal.ZERO);
        for (OrderItem item : order.items()) {
            addProductSale(connection, project, "all", 0, item, order.currency());
            addProductSale(connection, project, "hour", hour, item, order.currency());
            addProductSale(connection, project, "day", day, item, order.currency());
        }
    }

    private static long bucket(Instant at, long size) {
        return Math.floorDiv(at.toEpochMilli(), size) * size;
    }

    private void addStats(Connection connection, String project, String granularity, long bucket, String currency,
            long orders, BigDecimal revenue, BigDecimal refunds) throws SQLException {
        increment(connection, "order_stats", List.of("project_id", "granularity", "bucket_start", "currency"),
                new Object[] {project, granularity, bucket, currency},
                List.of("orders", "revenue", "refunds"), new Object[] {orders, revenue, refunds});
    }

    private void addProductSale(Connection connection, String project, String granularity, long bucket, OrderItem item,
            String currency) throws SQLException {
        increment(connection, "product_sales", List.of("project_id", "granularity", "bucket_start", "product_id", "currency"),
                new Object[] {project, granularity, bucket, item.productId(), currency},
                List.of("units", "revenue"), new Object[] {(long) item.quantity(), item.total()});
    }

    private void adjustInventory(Connection connection, String project, List<OrderItem> items, int reserved, int sold)
            throws SQLException {
        for (OrderItem item : items) {
            increment(connection, "inventory", List.of("project_id", "product_id"), new Object[] {project, item.productId()},
                    List.of("reserved", "sold"), new Object[] {(long) reserved * item.quantity(), (long) sold * item.quantity()});
        }
    }

    /** Adds {@code amounts} to the row with {@code key}, creating it when missing. */
    private void increment(Connection connection, String name, List<String> keyColumns, Object[] key,
            List<String> amountColumns, Object[] amounts) throws SQLException {
        String table = table(name);
        StringBuilder sql = new StringBuilder("MERGE INTO ").append(table).append(" t USING (VALUES (");
        List<String> all = new java.util.ArrayList<>(keyColumns);
        all.addAll(amountColumns);
        Object[] values = new Object[all.size()];
        System.arraycopy(key, 0, values, 0, key.length);
        System.arraycopy(amounts, 0, values, key.length, amounts.length);
        for (int i = 0; i < values.length; i++) {
            sql.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(sqlType(values[i])).append(")");
        }
        sql.append(")) AS s(").append(String.join(", ", all)).append(") ON ");
        sql.append(String.join(" AND ", keyColumns.stream().map(c -> "t." + c + " = s." + c).toList()));
        sql.append(" WHEN MATCHED THEN UPDATE SET ");
        sql.append(String.join(", ", amountColumns.stream().map(c -> c + " = t." + c + " + s." + c).toList()));
        sql.append(" WHEN NOT MATCHED THEN INSERT (").append(String.join(", ", all)).append(") VALUES (");
        sql.append(String.join(", ", all.stream().map(c -> "s." + c).toList())).append(")");
        try (PreparedStatement merge = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < values.length; i++) {
                merge.setObject(i + 1, values[i]);
            }
            merge.executeUpdate();
        }
    }

    private static String sqlType(Object value) {
        if (value instanceof Long) {
            return "BIGINT";
        }
        if (value instanceof BigDecimal) {
            return "DECIMAL(19,4)";
        }
        return "VARCHAR(200)";
    }

    private static String itemsJson(List<OrderItem> items) {
        try {
            return JSON.writeValueAsString(items.stream().map(i -> new Item(i.productId(), i.quantity(), i.unitPrice())).toList());
        } catch (IOException e) {
            throw new IllegalStateException("items always serialise", e);
        }
    }

    private static List<OrderItem> items(String json) {
        try {
            return JSON.readValue(json, ITEMS).stream().map(i -> new OrderItem(i.product(), i.quantity(), i.price())).toList();
        } catch (IOException e) {
            throw new IllegalStateException("order_view.items is not the JSON this class writes: " + e.getMessage(), e);
        }
    }
}
