module.exports = {
  mongodb: { url: process.env.MONGO_URL, databaseName: 'shop' },
  migrationsDir: 'migrations',
  changelogCollectionName: 'changelog',
  migrationFileExtension: '.js',
};
