/**
 * Local stand-ins for staging's datastores (R12): Kafka, Cassandra, MariaDB without TLS.
 * deployment-charts pins none of these images (its dev sub-charts use untagged third-party
 * images), so devpipe chooses documented public images; they must exist locally or be pullable.
 */
import type { Values } from './layers.js';

export const STAND_INS: Record<string, { spec: Values; comment: string }> = {
  kafka: {
    comment: 'stand-in for Kafka main (TLS) in staging: single-node KRaft broker, plaintext, topics auto-created; image not pinned by deployment-charts',
    spec: {
      image: 'apache/kafka:3.8.0',
      env: {
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      },
    },
  },
  cassandra: {
    comment: 'stand-in for the Cassandra dev cluster (TLS, auth) in staging: one node, data centre datacenter1, no TLS; image not pinned by deployment-charts',
    spec: { image: 'cassandra:4.1', env: { CASSANDRA_DC: 'datacenter1', MAX_HEAP_SIZE: '512M', HEAP_NEWSIZE: '128M' } },
  },
  mariadb: {
    comment: 'stand-in for the MariaDB section staging uses (a production database): empty, no TLS; image not pinned by deployment-charts',
    spec: { image: 'mariadb:11.4', env: {} },
  },
};
