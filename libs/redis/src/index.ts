// Redis wiring shared by the apps: one ioredis client for direct use (health, governor state)
// and bull's root configuration with the engine's key prefix.
export * from './redis.module';
export * from './lua-script';
