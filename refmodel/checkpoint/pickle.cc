// refmodel/checkpoint/pickle.cc — the state-dict unpickler: a stack machine over a few value
// kinds (none, bool, int, str, tuple, list, dict, global, storage, tensor).
//
// Hostile pickles are the design case. Values live in an arena (a deque) and refer to each
// other by raw pointer, so a memoized dict filled later by SETITEMS is the same object
// everywhere, cycles are harmless and freeing is one flat pass (no recursion, whatever the
// nesting). Strings are views into data.pkl, never copied while parsing. Memory is charged
// against a budget in proportion to data.pkl (kBytesPerPickleByte), containers may nest
// kMaxDepth deep, and every read is bounds-checked.
#include "refmodel/checkpoint/pickle.h"

#include <algorithm>
#include <deque>
#include <string_view>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/internal/printable.h"

namespace rwkvkit::refmodel::checkpoint {
namespace {

// Caps (docs/formats/checkpoints.md). A torch.save state dict's data.pkl needs 20-26
// bytes of memory per byte here and nests 3 containers deep; its strings that name globals,
// storage types and storage keys are a few dozen bytes; tensors have rank <= 8.
constexpr uint64_t kBytesPerPickleByte = 64;
constexpr uint64_t kBaseBudget = uint64_t{1} << 20;
constexpr uint32_t kMaxDepth = 64;
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxRank = 64;

struct Value;
using Ref = Value*;

// A storage (storage_* fields) or a tensor (all fields).
struct TensorRecord {
  std::string_view storage_type, storage_key;
  int64_t storage_numel = 0, storage_offset = 0;
  std::vector<int64_t> shape, stride;
};

struct Value {
  enum Kind : uint8_t { kNone, kBool, kInt, kStr, kTuple, kList, kDict, kGlobal, kStorage, kTensor };
  Kind kind = kNone;
  uint32_t depth = 1;            // containers: 1 + the deepest item ever put in them
  int64_t i = 0;                 // int, bool
  std::string_view s, s2;        // str; global module (s) and name (s2)
  std::vector<Ref> items;        // tuple/list; dict as key, value, key, value, ...
  TensorRecord* t = nullptr;     // storage, tensor
};

class Unpickler {
 public:
  Unpickler(std::span<const uint8_t> b, const std::string& path, uint64_t base)
      : b_(b), path_(path), base_(base), budget_(kBaseBudget + kBytesPerPickleByte * b.size()) {}

  absl::StatusOr<Ref> Run() {
    while (true) {
      op_at_ = pos_;
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t op, Read(1));
      if (op == '.') {
        RWKVKIT_ASSIGN_OR_RETURN(Ref top, Pop());
        return top;
      }
      RWKVKIT_RETURN_IF_ERROR(Step(static_cast<uint8_t>(op)));
    }
  }

  // Charges `n` bytes of memory against the budget; kDataLoss once it is spent.
  absl::Status Charge(uint64_t n) {
    used_ += n;
    if (used_ <= budget_) return absl::OkStatus();
    return Corrupt(absl::StrCat("unpickling needs more than ", budget_, " bytes of memory (the cap is ",
                                kBytesPerPickleByte, " per byte of data.pkl + 1 MiB); not a state dict"));
  }
  absl::Status Error(absl::StatusCode code, uint64_t at, std::string_view what) const {
    return absl::Status(code, absl::StrCat(path_, "@", base_ + at, ": ", std::string(what),
                                           " (data.pkl offset ", at, ")"));
  }
  absl::Status Corrupt(std::string_view what) const { return Error(absl::StatusCode::kDataLoss, op_at_, what); }

 private:
  // Reads an n-byte little-endian unsigned integer (n <= 8).
  absl::StatusOr<uint64_t> Read(size_t n) {
    if (n > b_.size() - pos_)
      return Error(absl::StatusCode::kDataLoss, pos_, "pickle truncated");
    uint64_t v = 0;
    for (size_t k = n; k-- > 0;) v = (v << 8) | b_[pos_ + k];
    pos_ += n;
    return v;
  }
  absl::StatusOr<std::string_view> ReadBytes(uint64_t n) {
    if (n > b_.size() - pos_) return Error(absl::StatusCode::kDataLoss, pos_, absl::StrCat("pickle truncated (a ", n, "-byte string)"));
    std::string_view s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  absl::StatusOr<std::string_view> ReadLine() {
    for (size_t k = pos_; k < b_.size(); ++k) {
      if (b_[k] != '\n') continue;
      std::string_view s(reinterpret_cast<const char*>(b_.data() + pos_), k - pos_);
      pos_ = k + 1;
      return s;
    }
    return Error(absl::StatusCode::kDataLoss, pos_, "pickle truncated (a GLOBAL line)");
  }
  // A global's module or name, a storage type or key: short in any state dict.
  absl::Status CheckName(std::string_view s, const char* what) const {
    if (s.size() <= kMaxNameBytes) return absl::OkStatus();
    return Corrupt(absl::StrCat(what, " of ", s.size(), " bytes (\"", Printable(s, 40),
                                "\"); a state dict's are short"));
  }

  absl::StatusOr<Ref> Make(Value::Kind k) {
    RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(Value) + 16));
    Ref v = &values_.emplace_back();
    v->kind = k;
    return v;
  }
  absl::StatusOr<TensorRecord*> MakeRecord() {
    RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(TensorRecord) + 16));
    return &records_.emplace_back();
  }
  // `item` was put into `container`: the container is now at least one deeper.
  absl::Status Nest(Ref container, Ref item) {
    container->depth = std::max(container->depth, item->depth + 1);
    if (container->depth <= kMaxDepth) return absl::OkStatus();
    return Corrupt(absl::StrCat("containers nested more than ", kMaxDepth, " deep; not a state dict"));
  }

  absl::StatusOr<Ref> Pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      return Corrupt("pickle stack underflow");
    Ref v = stack_.back();
    stack_.pop_back();
    return v;
  }
  absl::StatusOr<std::vector<Ref>> PopToMark() {
    if (marks_.empty() || marks_.back() > stack_.size()) return Corrupt("pickle has no MARK to pop to");
    std::vector<Ref> items(stack_.begin() + static_cast<ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  absl::StatusOr<Ref> Top() {
    if (stack_.empty()) return Corrupt("pickle stack underflow");
    return stack_.back();
  }
  absl::Status Push(Ref v) {
    RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(Ref)));
    stack_.push_back(v);
    return absl::OkStatus();
  }
  absl::Status PushNew(Value::Kind k) {
    RWKVKIT_ASSIGN_OR_RETURN(Ref v, Make(k));
    return Push(v);
  }
  absl::Status PushInt(int64_t i) {
    RWKVKIT_ASSIGN_OR_RETURN(Ref v, Make(Value::kInt));
    v->i = i;
    return Push(v);
  }

  absl::Status Step(uint8_t op);
  absl::Status Tuple(size_t n);
  absl::Status Long1();
  absl::Status SetItems(bool many);
  absl::Status Appends(bool many);
  absl::Status Reduce();
  absl::Status PersistentId();
  absl::Status Put(uint64_t idx);
  absl::Status Get(uint64_t idx);

  std::span<const uint8_t> b_;
  const std::string& path_;
  uint64_t base_;
  uint64_t budget_;
  uint64_t used_ = 0;
  size_t pos_ = 0;
  size_t op_at_ = 0;
  std::deque<Value> values_;
  std::deque<TensorRecord> records_;
  std::vector<Ref> stack_;
  std::vector<size_t> marks_;
  std::vector<Ref> memo_;  // by memo index; nullptr where nothing was stored
};

absl::Status Unpickler::Step(uint8_t op) {
  switch (op) {
    case 0x80: {  // PROTO
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t proto, Read(1));
      if (proto > 5) return Error(absl::StatusCode::kUnimplemented, op_at_, absl::StrCat("pickle protocol ", proto));
      return absl::OkStatus();
    }
    case 0x95: return Read(8).status();  // FRAME: a length hint only
    case '}': return PushNew(Value::kDict);
    case ']': return PushNew(Value::kList);
    case ')': return PushNew(Value::kTuple);
    case '(':
      RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(size_t)));
      marks_.push_back(stack_.size());
      return absl::OkStatus();
    case 't': return Tuple(SIZE_MAX);
    case 0x85: return Tuple(1);
    case 0x86: return Tuple(2);
    case 0x87: return Tuple(3);
    case 'N': return PushNew(Value::kNone);
    case 0x88:
    case 0x89: {
      RWKVKIT_ASSIGN_OR_RETURN(Ref v, Make(Value::kBool));
      v->i = op == 0x88;
      return Push(v);
    }
    case 'J': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t v, Read(4));
      return PushInt(static_cast<int32_t>(static_cast<uint32_t>(v)));
    }
    case 'K':
    case 'M': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t v, Read(op == 'K' ? 1 : 2));
      return PushInt(static_cast<int64_t>(v));
    }
    case 0x8a: return Long1();
    case 'X':
    case 0x8c:
    case 0x8d: {  // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t n, Read(op == 'X' ? 4 : op == 0x8c ? 1 : 8));
      RWKVKIT_ASSIGN_OR_RETURN(std::string_view s, ReadBytes(n));
      RWKVKIT_ASSIGN_OR_RETURN(Ref v, Make(Value::kStr));
      v->s = s;
      return Push(v);
    }
    case 'c': {  // GLOBAL "module\nname\n"
      RWKVKIT_ASSIGN_OR_RETURN(Ref g, Make(Value::kGlobal));
      RWKVKIT_ASSIGN_OR_RETURN(g->s, ReadLine());
      RWKVKIT_ASSIGN_OR_RETURN(g->s2, ReadLine());
      RWKVKIT_RETURN_IF_ERROR(CheckName(g->s, "GLOBAL module"));
      RWKVKIT_RETURN_IF_ERROR(CheckName(g->s2, "GLOBAL name"));
      return Push(g);
    }
    case 0x93: {  // STACK_GLOBAL
      RWKVKIT_ASSIGN_OR_RETURN(Ref name, Pop());
      RWKVKIT_ASSIGN_OR_RETURN(Ref module, Pop());
      if (name->kind != Value::kStr || module->kind != Value::kStr) return Corrupt("STACK_GLOBAL needs two strings");
      RWKVKIT_RETURN_IF_ERROR(CheckName(module->s, "STACK_GLOBAL module"));
      RWKVKIT_RETURN_IF_ERROR(CheckName(name->s, "STACK_GLOBAL name"));
      RWKVKIT_ASSIGN_OR_RETURN(Ref g, Make(Value::kGlobal));
      g->s = module->s;
      g->s2 = name->s;
      return Push(g);
    }
    case 'R': return Reduce();
    case 'b': return Pop().status();  // BUILD: object state (an OrderedDict's _metadata); not needed
    case 's': return SetItems(false);
    case 'u': return SetItems(true);
    case 'a': return Appends(false);
    case 'e': return Appends(true);
    case 'Q': return PersistentId();
    case 'q':
    case 'r': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t idx, Read(op == 'q' ? 1 : 4));
      return Put(idx);
    }
    case 0x94: return Put(memo_.size());  // MEMOIZE
    case 'h':
    case 'j': {
      RWKVKIT_ASSIGN_OR_RETURN(uint64_t idx, Read(op == 'h' ? 1 : 4));
      return Get(idx);
    }
    default:
      return Error(absl::StatusCode::kUnimplemented, op_at_,
                   absl::StrFormat("unknown pickle opcode 0x%02x%s", op,
                                   op >= 0x20 && op < 0x7f ? absl::StrCat(" ('", std::string(1, static_cast<char>(op)), "')") : ""));
  }
}

absl::Status Unpickler::Tuple(size_t n) {
  std::vector<Ref> items;
  if (n == SIZE_MAX) {
    RWKVKIT_ASSIGN_OR_RETURN(items, PopToMark());
  } else {
    items.resize(n);
    for (size_t k = n; k-- > 0;) {
      RWKVKIT_ASSIGN_OR_RETURN(items[k], Pop());
    }
  }
  RWKVKIT_ASSIGN_OR_RETURN(Ref t, Make(Value::kTuple));
  RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(Ref) * items.size()));
  for (Ref x : items) RWKVKIT_RETURN_IF_ERROR(Nest(t, x));
  t->items = std::move(items);
  return Push(t);
}

absl::Status Unpickler::Long1() {
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t n, Read(1));
  if (n > 8) return Error(absl::StatusCode::kUnimplemented, op_at_, absl::StrCat("LONG1 of ", n, " bytes"));
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t v, Read(n));
  if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t{0} << (8 * n);  // sign-extend
  return PushInt(static_cast<int64_t>(v));
}

absl::Status Unpickler::SetItems(bool many) {
  std::vector<Ref> kv;
  if (many) {
    RWKVKIT_ASSIGN_OR_RETURN(kv, PopToMark());
  } else {
    kv.resize(2);
    RWKVKIT_ASSIGN_OR_RETURN(kv[1], Pop());
    RWKVKIT_ASSIGN_OR_RETURN(kv[0], Pop());
  }
  if (kv.size() % 2 != 0) return Corrupt("SETITEMS with an odd number of items");
  RWKVKIT_ASSIGN_OR_RETURN(Ref d, Top());
  if (d->kind != Value::kDict) return Corrupt("SETITEM(S) on something that is not a dict");
  RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(Ref) * kv.size()));
  for (Ref x : kv) {
    RWKVKIT_RETURN_IF_ERROR(Nest(d, x));
    d->items.push_back(x);
  }
  return absl::OkStatus();
}

absl::Status Unpickler::Appends(bool many) {
  std::vector<Ref> xs;
  if (many) {
    RWKVKIT_ASSIGN_OR_RETURN(xs, PopToMark());
  } else {
    xs.resize(1);
    RWKVKIT_ASSIGN_OR_RETURN(xs[0], Pop());
  }
  RWKVKIT_ASSIGN_OR_RETURN(Ref l, Top());
  if (l->kind != Value::kList) return Corrupt("APPEND(S) on something that is not a list");
  RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(Ref) * xs.size()));
  for (Ref x : xs) {
    RWKVKIT_RETURN_IF_ERROR(Nest(l, x));
    l->items.push_back(x);
  }
  return absl::OkStatus();
}

absl::Status Unpickler::Put(uint64_t idx) {
  RWKVKIT_ASSIGN_OR_RETURN(Ref top, Top());
  // The pickler numbers its memo 0, 1, 2, ...: an index is below the number of opcodes.
  if (idx >= b_.size()) return Corrupt(absl::StrCat("memo index ", idx, " exceeds the pickle's size"));
  if (idx >= memo_.size()) {
    RWKVKIT_RETURN_IF_ERROR(Charge(sizeof(Ref) * (idx + 1 - memo_.size())));
    memo_.resize(idx + 1, nullptr);
  }
  memo_[idx] = top;
  return absl::OkStatus();
}

absl::Status Unpickler::Get(uint64_t idx) {
  if (idx >= memo_.size() || memo_[idx] == nullptr) return Corrupt(absl::StrCat("memo key ", idx, " was never stored"));
  return Push(memo_[idx]);
}

// Reads a tuple of ints (a tensor's size or stride).
bool IntTuple(const Ref& v, std::vector<int64_t>& out) {
  if (v->kind != Value::kTuple || v->items.size() > kMaxRank) return false;
  out.clear();
  for (const Ref& x : v->items) {
    if (x->kind != Value::kInt) return false;
    out.push_back(x->i);
  }
  return true;
}

absl::Status Unpickler::Reduce() {
  RWKVKIT_ASSIGN_OR_RETURN(Ref args, Pop());
  RWKVKIT_ASSIGN_OR_RETURN(Ref fn, Pop());
  if (fn->kind != Value::kGlobal || args->kind != Value::kTuple) return Corrupt("REDUCE needs a global and a tuple");
  const std::string qual = std::string(fn->s) + "." + std::string(fn->s2);
  const std::vector<Ref>& a = args->items;
  if (qual == "collections.OrderedDict" && a.empty()) return PushNew(Value::kDict);
  if (qual == "torch._utils._rebuild_tensor_v2" || qual == "torch._utils._rebuild_tensor") {
    if (a.size() < 4 || a[0]->kind != Value::kStorage || a[1]->kind != Value::kInt)
      return Corrupt(absl::StrCat(qual, " called with unexpected arguments"));
    RWKVKIT_ASSIGN_OR_RETURN(Ref t, Make(Value::kTensor));
    RWKVKIT_ASSIGN_OR_RETURN(t->t, MakeRecord());
    *t->t = *a[0]->t;
    t->t->storage_offset = a[1]->i;
    if (!IntTuple(a[2], t->t->shape) || !IntTuple(a[3], t->t->stride) || t->t->shape.size() != t->t->stride.size())
      return Corrupt(absl::StrCat(qual, ": size and stride must be tuples of at most ", kMaxRank,
                                  " ints, of one length"));
    RWKVKIT_RETURN_IF_ERROR(Charge(2 * sizeof(int64_t) * t->t->shape.size()));
    return Push(t);
  }
  if ((qual == "torch._utils._rebuild_parameter" || qual == "torch._utils._rebuild_parameter_with_state") &&
      !a.empty() && a[0]->kind == Value::kTensor)
    return Push(a[0]);
  return Error(absl::StatusCode::kUnimplemented, op_at_,
               absl::StrCat("pickle calls ", Printable(qual), ", which a state dict of tensors does not use"));
}

absl::Status Unpickler::PersistentId() {
  RWKVKIT_ASSIGN_OR_RETURN(Ref pid, Pop());
  const std::vector<Ref>& p = pid->items;
  if (pid->kind != Value::kTuple || p.size() != 5 || p[0]->kind != Value::kStr || p[0]->s != "storage" ||
      p[1]->kind != Value::kGlobal || p[2]->kind != Value::kStr || p[4]->kind != Value::kInt || p[4]->i < 0)
    return Corrupt("persistent id is not ('storage', type, key, location, numel)");
  RWKVKIT_RETURN_IF_ERROR(CheckName(p[2]->s, "storage key"));
  RWKVKIT_ASSIGN_OR_RETURN(Ref s, Make(Value::kStorage));
  RWKVKIT_ASSIGN_OR_RETURN(s->t, MakeRecord());
  s->t->storage_type = p[1]->s2;
  s->t->storage_key = p[2]->s;
  s->t->storage_numel = p[4]->i;
  return Push(s);
}

}  // namespace

absl::StatusOr<std::vector<PickledTensor>> ParseStateDict(std::span<const uint8_t> pkl,
                                                          const std::string& path, uint64_t base) {
  Unpickler u(pkl, path, base);
  RWKVKIT_ASSIGN_OR_RETURN(Ref top, u.Run());
  if (top->kind != Value::kDict)
    return absl::DataLossError(absl::StrCat(path, "@", base, ": data.pkl holds no dict (not a state dict)"));
  std::vector<PickledTensor> out;
  std::unordered_set<std::string_view> names;
  for (size_t k = 0; k + 1 < top->items.size(); k += 2) {
    const Ref& key = top->items[k];
    const Ref& val = top->items[k + 1];
    if (key->kind != Value::kStr || val->kind != Value::kTensor) continue;
    // Every distinct name has its own bytes in data.pkl; a repeated one would be copied again.
    if (!names.insert(key->s).second)
      return absl::DataLossError(absl::StrCat(path, "@", base, ": tensor ", Printable(key->s),
                                              " appears twice in the state dict"));
    const TensorRecord& r = *val->t;
    RWKVKIT_RETURN_IF_ERROR(u.Charge(sizeof(PickledTensor) + key->s.size() + r.storage_type.size() +
                                     r.storage_key.size() + 2 * sizeof(int64_t) * r.shape.size()));
    PickledTensor& p = out.emplace_back();
    p.name = std::string(key->s);
    p.storage_type = std::string(r.storage_type);
    p.storage_key = std::string(r.storage_key);
    p.storage_numel = r.storage_numel;
    p.storage_offset = r.storage_offset;
    p.shape = r.shape;
    p.stride = r.stride;
  }
  return out;
}

}  // namespace rwkvkit::refmodel::checkpoint
