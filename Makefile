# Hai lệnh chính: `make run` (chạy trên dữ liệu mẫu, ghi vào output/) và `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := output

.PHONY: install run test bench samples preview clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/dti-report run --period 2023 \
		--inputs input_samples/bieu-mau-2023 \
		--verified input_samples/hcm-dti-so-2023-dieu-chinh.csv \
		--out $(OUT)/hcm-2023 --final
	$(BIN)/dti-report run --period 2021-Q2 \
		--inputs input_samples/kh68-2021-Q2 \
		--out $(OUT)/kh68-2021-Q2
	$(BIN)/dti-report run --period 2022-Q4 \
		--inputs input_samples/ninhthuan-2022-Q4 \
		--units dti_report/data/units/ninhthuan-2022.yaml \
		--settings dti_report/data/settings/ninhthuan-stttt.yaml \
		--out $(OUT)/ninhthuan-2022-Q4
	$(BIN)/dti-report run --period 2022 \
		--inputs input_samples/ninhthuan-dti-huyen-2022 \
		--units dti_report/data/units/ninhthuan-2022.yaml \
		--settings dti_report/data/settings/ninhthuan-stttt.yaml \
		--out $(OUT)/ninhthuan-dti-huyen-2022 --final
	# Không gian làm việc mẫu: hai năm DTI, hai tháng bảng chỉ tiêu, so sánh, thời hạn, thư nhắc, điều chỉnh.
	$(BIN)/python scripts/build_sample_workspace.py --out $(OUT)/khong-gian-mau

# The layering contract (setup.cfg, [importlinter]) first: a back-import fails the build.
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_batch.py

samples: $(STAMP)
	$(BIN)/python scripts/generate_samples.py

# Ảnh từng trang của mọi tệp Word, Excel trong output/ (chạy `make run` trước), ghi vào output/xem-truoc/,
# kèm những điểm người đọc sẽ trả lại (trang chỉ có phần ký, bảng không lặp dòng tiêu đề…).
preview: $(STAMP)
	$(BIN)/python scripts/preview_reports.py --results $(OUT)

clean:
	rm -rf $(VENV) build *.egg-info
	find $(OUT) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
