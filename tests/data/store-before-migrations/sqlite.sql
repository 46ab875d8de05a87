-- The store's schema as stakes created it before it had migrations (metadata.create_all), on sqlite.
-- Tests build a database from it to check that opening it with today's code upgrades it without loss.

CREATE TABLE api_tokens (
	name VARCHAR(100) NOT NULL, 
	digest VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (name), 
	UNIQUE (digest)
);

CREATE TABLE articles (
	id VARCHAR(32) NOT NULL, 
	title TEXT, 
	published DATE, 
	publisher TEXT, 
	url TEXT, 
	origin TEXT, 
	text TEXT NOT NULL, 
	meta JSON NOT NULL, 
	added_at DATETIME NOT NULL, 
	analysed_at DATETIME, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_articles_published ON articles (published);

CREATE TABLE scenarios (
	id VARCHAR(100) NOT NULL, 
	title TEXT NOT NULL, 
	version INTEGER NOT NULL, 
	content TEXT NOT NULL, 
	whatifs TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(200) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE events (
	id INTEGER NOT NULL, 
	article_id VARCHAR(32) NOT NULL, 
	date DATE, 
	source_id VARCHAR(200), 
	target_id VARCHAR(200), 
	cameo VARCHAR(10), 
	plover VARCHAR(40), 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE INDEX ix_events_article_id ON events (article_id);

CREATE INDEX ix_events_date ON events (date);

CREATE INDEX ix_events_source_id ON events (source_id);

CREATE INDEX ix_events_source_target ON events (source_id, target_id);

CREATE INDEX ix_events_target_id ON events (target_id);

CREATE TABLE mentions (
	id INTEGER NOT NULL, 
	article_id VARCHAR(32) NOT NULL, 
	actor_id VARCHAR(200) NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE INDEX ix_mentions_actor_id ON mentions (actor_id);

CREATE INDEX ix_mentions_article_id ON mentions (article_id);

CREATE TABLE quotes (
	id INTEGER NOT NULL, 
	article_id VARCHAR(32) NOT NULL, 
	speaker_id VARCHAR(200), 
	text TEXT NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	cue VARCHAR(100), 
	PRIMARY KEY (id), 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE INDEX ix_quotes_article_id ON quotes (article_id);

CREATE INDEX ix_quotes_speaker_id ON quotes (speaker_id);

CREATE TABLE scenario_revisions (
	id INTEGER NOT NULL, 
	scenario_id VARCHAR(100) NOT NULL, 
	version INTEGER NOT NULL, 
	author VARCHAR(200) NOT NULL, 
	at DATETIME NOT NULL, 
	summary TEXT NOT NULL, 
	changes JSON NOT NULL, 
	content TEXT NOT NULL, 
	whatifs TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (scenario_id, version), 
	FOREIGN KEY(scenario_id) REFERENCES scenarios (id) ON DELETE CASCADE
);

CREATE INDEX ix_scenario_revisions_scenario_id ON scenario_revisions (scenario_id);

CREATE TABLE source_articles (
	scenario_id VARCHAR(100) NOT NULL, 
	source_id VARCHAR(200) NOT NULL, 
	article_id VARCHAR(32) NOT NULL, 
	PRIMARY KEY (scenario_id, source_id), 
	FOREIGN KEY(scenario_id) REFERENCES scenarios (id) ON DELETE CASCADE, 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE stances (
	id INTEGER NOT NULL, 
	article_id VARCHAR(32) NOT NULL, 
	actor_id VARCHAR(200) NOT NULL, 
	issue_id VARCHAR(200) NOT NULL, 
	position FLOAT NOT NULL, 
	confidence FLOAT NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	evidence TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE INDEX ix_stances_actor_issue ON stances (actor_id, issue_id);

CREATE INDEX ix_stances_article_id ON stances (article_id);
