
ALTER TABLE "core_recipe" ALTER COLUMN "foo" SET NOT NULL;
        