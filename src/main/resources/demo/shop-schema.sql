-- The shop's own tables, as the shop backend defines them (README, "Tables").
-- The reconciler never runs this against a real shop database: only the demo and the tests do.
CREATE TABLE orders (
  id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_code     VARCHAR(32)   NOT NULL,
  user_email     VARCHAR(255)  NULL,
  total_amount   DECIMAL(12,2) NOT NULL DEFAULT 0,
  payment_status ENUM('pending','paid','failed','refunded') NOT NULL DEFAULT 'pending',
  order_status   ENUM('pending','processing','completed','failed') NOT NULL DEFAULT 'pending',
  created_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uk_orders_code (order_code),
  KEY idx_orders_status_id (order_status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE download_tasks (
  id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id      BIGINT        NULL,
  email         VARCHAR(255)  NULL,
  course_title  VARCHAR(500)  NULL,
  course_url    VARCHAR(1000) NOT NULL,
  status        ENUM('pending','processing','enrolled','completed','failed') NOT NULL DEFAULT 'pending',
  drive_link    VARCHAR(1000) NULL,
  error_message TEXT          NULL,
  created_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY idx_download_tasks_order_status (order_id, status),
  CONSTRAINT fk_download_tasks_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
